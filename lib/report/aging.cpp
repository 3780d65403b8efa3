// report aging: open balances per customer in buckets of days past due (SPEC §9).
#include <array>

#include <billrun/ledger/reports.hpp>

#include "reports.hpp"

namespace billrun::report {

namespace {

using Buckets = std::array<Centavos, 5>;

io::Row aging_row(const std::string& customer, const std::string& name, const Buckets& buckets)
{
    io::Row row{customer, name};
    Centavos total = 0;
    for (Centavos amount : buckets) {
        row.push_back(io::Cell::money(amount));
        total += amount;
    }
    row.push_back(io::Cell::money(total));
    return row;
}

}  // namespace

Result<void> write_aging(ledger::Ledger& ledger, const Options& options, io::Format format, std::ostream& out)
{
    if (!options.customer.empty()) {
        if (auto known = require_customer(ledger, options.customer); !known) {
            return known;
        }
    }
    io::TabularSpec spec;
    spec.kind = "report-aging";
    spec.header.emplace_back("business_date", options.business_date.iso());
    if (!options.customer.empty()) {
        spec.header.emplace_back("customer", options.customer);
    }
    if (!options.owner.empty()) {
        spec.header.emplace_back("owner", options.owner);
    }
    spec.columns = {{"customer"}, {"name", true, true, 10}};
    for (auto bucket : {Bucket::current, Bucket::days_1_30, Bucket::days_31_60, Bucket::days_61_90,
                        Bucket::days_over_90}) {
        spec.columns.push_back({std::string(bucket_key(bucket))});
    }
    spec.columns.push_back({"total"});
    auto writer = io::make_tabular_writer(format, out, std::move(spec));

    std::string customer;
    std::string name;
    Buckets buckets{};
    Buckets totals{};
    auto flush = [&] {
        if (!customer.empty()) {
            writer->row(aging_row(customer, name, buckets));
        }
        buckets = {};
    };
    auto read = ledger::each_due_balance(
        ledger, options.business_date, {options.customer, options.owner}, [&](const ledger::DueBalance& due) {
            if (due.customer != customer) {
                flush();
                customer = due.customer;
                name = due.name;
            }
            auto bucket = static_cast<std::size_t>(aging_bucket(days_between(due.due_date, options.business_date)));
            buckets[bucket] += due.balance;
            totals[bucket] += due.balance;
        });
    if (!read) {
        return read;
    }
    flush();
    writer->row(aging_row("TOTAL", "", totals), true);
    writer->finish();
    return {};
}

}  // namespace billrun::report
