#pragma once
// What a run knows about its circumstances, passed down from the CLI layer: the business
// date, the wall clock (only to stamp runs), and where warnings go. No singletons.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <billrun/core/date.hpp>

namespace billrun {

struct RunContext {
    Date business_date;
    std::function<std::string()> now;  // ISO 8601 timestamp with offset, for run records
    std::function<void(std::string_view)> warn = [](std::string_view) {};
    // Long work reports how far it got, for a person at a terminal: what it counts
    // ("invoices"), how many are done, and the total when known (0: unknown). Called once per
    // batch or record; the CLI layer throttles and draws it, or ignores it (no terminal, -q).
    std::function<void(std::string_view what, std::int64_t done, std::int64_t total)> progress =
        [](std::string_view, std::int64_t, std::int64_t) {};
    // Seconds since 1970 from the wall clock: only to tell whether a bank API token expired.
    std::function<std::int64_t()> unix_time = [] { return std::int64_t{0}; };
    // The value of an environment variable naming a secret (bank API credentials); nullopt
    // when unset. Values never go into messages.
    std::function<std::optional<std::string>(std::string_view name)> secret = [](std::string_view) {
        return std::optional<std::string>();
    };
    bool dry_run = false;
    int verbosity = 0;  // -1 quiet, 0 normal, 1 verbose
};

}  // namespace billrun
