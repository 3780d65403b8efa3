#pragma once
// `billrun import`: customers, services, contracts and charges from CSV or YAML files into the
// ledger, all or nothing, upserting by id (SPEC §3).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::import {

enum class Kind { customers, services, contracts, charges, payments };
std::optional<Kind> parse_kind(std::string_view text);
std::string_view kind_name(Kind kind);

struct Problem {
    std::string file;
    std::int64_t line = 0;
    int column = 0;  // 1-based spreadsheet column (CSV) or character column (YAML); 0 = none
    std::string message;
    std::string text() const;  // "file:line:column: message"
};

struct FileReport {
    std::string file;
    std::int64_t created = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t invalid = 0;
    std::vector<Problem> errors;  // the first k_max_reported; `invalid` counts them all
};

inline constexpr std::size_t k_max_reported = 1000;

struct Options {
    Kind kind = Kind::customers;
    std::vector<std::string> files;  // "-" = stdin
    bool skip_invalid = false;
};

struct Outcome {
    std::vector<FileReport> reports;
    std::vector<Problem> warnings;  // ignored columns and the like
    bool committed = false;
    std::int64_t invalid = 0;
    std::optional<std::int64_t> run;
};

// Reads every file, validates every record, and writes them in one transaction that is
// committed only when no record is invalid (or `skip_invalid`) and not ctx.dry_run.
// An Outcome with invalid > 0 and !committed means exit 65; invalid records set aside
// with skip_invalid mean exit 1. Errors: no_input (a file missing), busy, internal.
Result<Outcome> run_import(ledger::Ledger& ledger, const config::Config& config,
                           const RunContext& ctx, const Options& options);

}  // namespace billrun::import
