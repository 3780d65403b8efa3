// report invoices and report runs: one row per record, filtered, streamed in key order.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include <billrun/ledger/reports.hpp>

#include "reports.hpp"

namespace billrun::report {

namespace {

constexpr std::array<std::string_view, 5> k_invoice_statuses{"draft", "issued", "paid", "partly-paid", "cancelled"};
constexpr std::array<std::string_view, 5> k_run_statuses{"running", "ok", "partial", "failed", "dry-run"};

// "open" is issued and partly paid; a list is comma-separated.
Result<std::vector<std::string>> invoice_statuses(const std::string& text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size() && !text.empty()) {
        auto comma = text.find(',', start);
        std::string word = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (word == "open") {
            out.emplace_back("issued");
            out.emplace_back("partly-paid");
        } else if (std::find(k_invoice_statuses.begin(), k_invoice_statuses.end(), word) != k_invoice_statuses.end()) {
            out.push_back(word);
        } else {
            return fail(ErrorCode::usage,
                        fmt::format("--status '{}': expected {} or open (a comma-separated list for more than one)",
                                    word, fmt::join(k_invoice_statuses, ", ")));
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

io::Cell optional_date(const std::optional<Date>& date)
{
    return date ? io::Cell(date->iso()) : io::Cell();
}

void add_filters(io::Map& header, const Options& o)
{
    auto add = [&](const char* key, const std::string& value) {
        if (!value.empty()) {
            header.emplace_back(key, value);
        }
    };
    add("status", o.status);
    add("customer", o.customer);
    add("owner", o.owner);
    add("series", o.series);
    add("command", o.command);
    if (o.from) {
        header.emplace_back("from", o.from->iso());
    }
    if (o.to) {
        header.emplace_back("to", o.to->iso());
    }
}

}  // namespace

Result<void> write_invoices(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out)
{
    auto statuses = invoice_statuses(options.status);
    if (!statuses) {
        return tl::unexpected(statuses.error());
    }
    if (!options.customer.empty()) {
        if (auto known = require_customer(ledger, options.customer); !known) {
            return known;
        }
    }
    io::TabularSpec spec;
    spec.kind = "report-invoices";
    add_filters(spec.header, options);
    spec.columns = {{"id"},         {"series", false},     {"number", false},   {"status"},
                    {"customer", true, true, 8}, {"contract", false}, {"period_start", false}, {"period_end", false},
                    {"issue_date", false}, {"due_date"}, {"gross", false}, {"net"},
                    {"balance"},    {"key", false}};
    auto writer = io::make_tabular_writer(format, out, std::move(spec));

    std::int64_t count = 0;
    Centavos gross = 0;
    Centavos net = 0;
    Centavos balance = 0;
    ledger::InvoiceFilter filter{*statuses, options.customer, options.owner, options.series, options.from, options.to};
    auto read = ledger::each_invoice(ledger, filter, [&](const ledger::InvoiceListing& inv) {
        ++count;
        gross += inv.gross;
        net += inv.net;
        balance += inv.balance;
        writer->row({inv.number ? io::Cell(fmt::format("{}-{:06}", inv.series, *inv.number)) : io::Cell(), inv.series,
                     inv.number ? io::Cell::integer(*inv.number) : io::Cell(), inv.status, inv.customer,
                     inv.contract ? io::Cell(*inv.contract) : io::Cell(), optional_date(inv.period_start),
                     optional_date(inv.period_end), inv.issue_date.iso(), inv.due_date.iso(), io::Cell::money(inv.gross),
                     io::Cell::money(inv.net), io::Cell::money(inv.balance), io::Cell::integer(inv.key)});
    });
    if (!read) {
        return read;
    }
    io::Row footer(14);
    footer[0] = "TOTAL";
    footer[11] = io::Cell::money(net);
    footer[12] = io::Cell::money(balance);
    writer->finish({{"totals", io::Map{{"count", count},
                                       {"gross", header_money(gross, format)},
                                       {"net", header_money(net, format)},
                                       {"balance", header_money(balance, format)}}}},
                   footer);
    return {};
}

Result<void> write_runs(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out)
{
    if (!options.status.empty() &&
        std::find(k_run_statuses.begin(), k_run_statuses.end(), options.status) == k_run_statuses.end()) {
        return fail(ErrorCode::usage, fmt::format("--status '{}': expected {}", options.status,
                                                  fmt::join(k_run_statuses, ", ")));
    }
    io::TabularSpec spec;
    spec.kind = "report-runs";
    add_filters(spec.header, options);
    spec.columns = {{"id"},      {"command", true, true, 10}, {"business_date"}, {"started"},
                    {"finished", false}, {"status"},          {"counts", false}};
    auto writer = io::make_tabular_writer(format, out, std::move(spec));
    std::int64_t count = 0;
    ledger::RunFilter filter{options.status, options.command, options.from, options.to};
    auto read = ledger::each_run(ledger, filter, [&](const ledger::RunListing& run) {
        ++count;
        writer->row({io::Cell::integer(run.id), run.command, run.business_date, run.started,
                     run.finished ? io::Cell(*run.finished) : io::Cell(), run.status,
                     run.counts ? io::Cell(*run.counts) : io::Cell()});
    });
    if (!read) {
        return read;
    }
    writer->finish({{"totals", io::Map{{"count", count}}}});
    return {};
}

}  // namespace billrun::report
