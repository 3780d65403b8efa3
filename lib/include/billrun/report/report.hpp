#pragma once
// `billrun report NAME` (SPEC §9): aging, statement, stages, invoices and runs, read from the
// ledger (never written) and written as YAML, JSON, CSV or a table (io/tabular.hpp).
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::report {

enum class Kind { aging, statement, stages, invoices, runs };

// The report names, as the command line spells them.
std::span<const std::string_view> names();
std::optional<Kind> parse_kind(std::string_view name);

// Days past due as of the business date (business date − due date) in the aging columns:
// `current` up to day 0 (not yet due, or due today), then 1-30, 31-60, 61-90 and 90+.
enum class Bucket { current, days_1_30, days_31_60, days_61_90, days_over_90 };
Bucket aging_bucket(std::int32_t days_past_due);
std::string_view bucket_key(Bucket bucket);

struct Options {
    Date business_date;
    std::string customer;         // statement: whose; aging and invoices: a filter
    std::string owner;            // aging, stages, invoices
    std::string status;           // invoices (comma-separated, or `open`), runs
    std::string series;           // invoices
    std::string command;          // runs
    std::optional<Date> from;     // statement, invoices (issue date), runs (business date)
    std::optional<Date> to;
};

// Writes the report. Errors: usage for a status the report does not know or --from after
// --to; data_invalid for a customer that is not in the ledger; internal for SQLite failures
// (rows already written stay written).
Result<void> write_report(ledger::Ledger& ledger, Kind kind, const Options& options, io::Format format,
                          std::ostream& out);

}  // namespace billrun::report
