#pragma once
// What a run knows about its circumstances, passed down from the CLI layer: the business
// date, the wall clock (only to stamp runs), and where warnings go. No singletons.
#include <functional>
#include <string>
#include <string_view>

#include <billrun/core/date.hpp>

namespace billrun {

struct RunContext {
    Date business_date;
    std::function<std::string()> now;  // ISO 8601 timestamp with offset, for run records
    std::function<void(std::string_view)> warn = [](std::string_view) {};
    bool dry_run = false;
    int verbosity = 0;  // -1 quiet, 0 normal, 1 verbose
};

}  // namespace billrun
