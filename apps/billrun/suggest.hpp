#pragma once
// "billrun improt" -> did you mean 'import'? Found before CLI11 parses, so the message is ours.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace billrun::app {

// The message for an unknown command word, or nullopt when the command line names a known
// command (or none, or asks for --help/--version).
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv);

}  // namespace billrun::app
