#pragma once
// "billrun improt" -> did you mean 'import'? Found before CLI11 parses, so the message is ours.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace billrun::app {

// The message for an unknown command word, or nullopt when the command line names a known
// command (or none, or asks for --help/--version).
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv);

// The name closest to `word` (at most two edits away), for "did you mean" messages.
std::optional<std::string> nearest_name(std::string_view word, const std::vector<std::string>& names);

}  // namespace billrun::app
