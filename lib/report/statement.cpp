// report statement CUSTOMER: the customer's invoices, payments and credits in date order
// with a running balance, what the customer owes (negative: credit in the customer's favour).
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include <billrun/ledger/reports.hpp>

#include "reports.hpp"

namespace billrun::report {

namespace {

struct Entry {
    Date date;
    int group = 0;           // invoices before payments on one day
    std::int64_t key = 0;
    int sub = 0;             // late charges, payment, credit of one payment in that order
    std::string type;
    std::string document;
    std::string description;
    Centavos debit = 0;      // adds to what the customer owes
    Centavos credit = 0;     // takes from it
    bool moves = true;       // false: a note (a credit kept or used), the balance stays
    Centavos credit_change = 0;  // unused credit: + kept from an overpayment, − used by an invoice
};

// Due date first: the table may cut the rest.
std::string invoice_description(const ledger::StatementInvoice& inv)
{
    std::string text = fmt::format("due {}", inv.due_date.iso());
    if (inv.period_start && inv.period_end) {
        text += fmt::format(", period {} to {}", inv.period_start->iso(), inv.period_end->iso());
    }
    return text;
}

std::string late_charges_description(const ledger::StatementPayment& p)
{
    std::vector<std::string> parts;
    if (p.interest > 0) {
        parts.push_back(fmt::format("interest {}", format_money(p.interest)));
    }
    if (p.fine > 0) {
        parts.push_back(fmt::format("fine {}", format_money(p.fine)));
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

// The file the payment came from, without its folders, and the record in it.
std::string payment_description(const ledger::StatementPayment& p)
{
    std::string file = std::filesystem::path(p.source).filename().string();
    return p.record.empty() ? file : fmt::format("{}:{}", file, p.record);
}

std::vector<Entry> entries_of(const std::vector<ledger::StatementInvoice>& invoices,
                              const std::vector<ledger::StatementPayment>& payments)
{
    std::vector<Entry> entries;
    for (const auto& inv : invoices) {
        Entry e{inv.issue_date, 0, inv.key, 0, "invoice", inv.id, invoice_description(inv)};
        e.debit = inv.net;
        entries.push_back(e);
        if (inv.cancelled) {
            Entry undone{*inv.cancelled, 0, inv.key, 2, "cancellation", inv.id, fmt::format("{} cancelled", inv.id)};
            undone.credit = inv.net;
            entries.push_back(undone);
        }
        if (inv.credit_returned > 0) {
            Entry back{inv.cancelled.value_or(inv.issue_date), 0, inv.key, 3, "credit", inv.id,
                       fmt::format("{} of credit given back", format_money(inv.credit_returned))};
            back.moves = false;
            back.credit_change = inv.credit_returned;
            entries.push_back(back);
        }
        if (inv.credit_used > 0) {
            Entry used{inv.issue_date, 0, inv.key, 1, "credit-used", inv.id,
                       fmt::format("{} of credit paid part of {}", format_money(inv.credit_used), inv.id)};
            used.moves = false;
            used.credit_change = -inv.credit_used;
            entries.push_back(used);
        }
    }
    for (const auto& p : payments) {
        if (p.interest + p.fine > 0) {
            Entry late{p.date, 1, p.key, 0, "late-charges", p.invoice, late_charges_description(p)};
            late.debit = p.interest + p.fine;
            entries.push_back(late);
        }
        Entry paid{p.date, 1, p.key, 1, "payment", p.invoice, payment_description(p)};
        paid.credit = p.amount;
        entries.push_back(paid);
        if (p.credit > 0) {
            Entry kept{p.date, 1, p.key, 2, "credit", p.invoice,
                       fmt::format("{} paid over {}, kept as credit", format_money(p.credit), p.invoice)};
            kept.moves = false;
            kept.credit_change = p.credit;
            entries.push_back(kept);
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return std::tie(a.date, a.group, a.key, a.sub) < std::tie(b.date, b.group, b.key, b.sub);
    });
    return entries;
}

io::Cell money_or_null(bool shown, Centavos value)
{
    return shown ? io::Cell::money(value) : io::Cell();
}

}  // namespace

Result<void> write_statement(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out)
{
    auto customer = ledger::find_customer(ledger, options.customer);
    if (!customer) {
        return tl::unexpected(customer.error());
    }
    if (!*customer) {
        return require_customer(ledger, options.customer);
    }
    auto invoices = ledger::statement_invoices(ledger, options.customer);
    if (!invoices) {
        return tl::unexpected(invoices.error());
    }
    auto payments = ledger::statement_payments(ledger, options.customer);
    if (!payments) {
        return tl::unexpected(payments.error());
    }
    const Date to = options.to.value_or(options.business_date);
    auto entries = entries_of(*invoices, *payments);

    Centavos opening = 0;
    Centavos closing = 0;
    Centavos credit = 0;
    for (const auto& e : entries) {
        if (e.date > to) {
            break;
        }
        if (options.from && e.date < *options.from) {
            opening += e.debit - e.credit;
        }
        closing += e.debit - e.credit;
        credit += e.credit_change;
    }

    io::TabularSpec spec;
    spec.kind = "report-statement";
    spec.header = {{"customer", options.customer},
                   {"name", (*customer)->name},
                   {"from", options.from ? io::Value(options.from->iso()) : io::Value()},
                   {"to", to.iso()},
                   {"opening_balance", header_money(opening, format)},
                   {"closing_balance", header_money(closing, format)},
                   {"credit", header_money(credit, format)},
                   {"open_invoices", header_money(closing + credit, format)}};
    spec.columns = {{"date"}, {"type"}, {"document"}, {"description", true, true, 12},
                    {"debit"}, {"credit"}, {"balance"}};
    auto writer = io::make_tabular_writer(format, out, std::move(spec));

    Centavos balance = opening;
    writer->row({options.from ? io::Cell(options.from->iso()) : io::Cell(), "opening", io::Cell(), "opening balance",
                 io::Cell(), io::Cell(), io::Cell::money(balance)});
    for (const auto& e : entries) {
        if (e.date > to) {
            break;
        }
        if (options.from && e.date < *options.from) {
            continue;
        }
        balance += e.debit - e.credit;
        writer->row({e.date.iso(), e.type, e.document.empty() ? io::Cell() : io::Cell(e.document), e.description,
                     money_or_null(e.moves && e.debit != 0, e.debit), money_or_null(e.moves && e.credit != 0, e.credit),
                     e.moves ? io::Cell::money(balance) : io::Cell()});
    }
    writer->row({to.iso(), "closing", io::Cell(), "closing balance", io::Cell(), io::Cell(), io::Cell::money(closing)},
                true);
    writer->finish();
    return {};
}

}  // namespace billrun::report
