#include "suggest.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace billrun::app {

namespace {

// Optimal string alignment distance: edits plus adjacent transpositions ("improt").
std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

bool takes_value(std::string_view arg)
{
    for (std::string_view name : {"--ledger", "--config", "--date", "--out", "-o", "--format"}) {
        if (arg == name) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::optional<std::string> nearest_name(std::string_view word, const std::vector<std::string>& names)
{
    std::optional<std::string> best;
    std::size_t best_distance = 3;
    for (const auto& name : names) {
        std::size_t dist = edit_distance(word, name);
        if (dist < best_distance) {
            best_distance = dist;
            best = name;
        }
    }
    return best;
}

std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h" || arg == "--version") {
            return std::nullopt;
        }
        if (arg == "--") {
            return std::nullopt;
        }
        if (arg.starts_with("-")) {
            if (takes_value(arg)) {
                ++i;
            }
            continue;
        }
        std::vector<std::string> names;
        for (const auto* sub : app.get_subcommands({})) {
            names.push_back(sub->get_name());
        }
        if (std::find(names.begin(), names.end(), arg) != names.end()) {
            return std::nullopt;
        }
        std::string best;
        std::size_t best_distance = 3;
        for (const auto& name : names) {
            std::size_t dist = edit_distance(arg, name);
            if (dist < best_distance) {
                best_distance = dist;
                best = name;
            }
        }
        if (!best.empty()) {
            return fmt::format("unknown command '{}'; did you mean '{}'?", arg, best);
        }
        return fmt::format("unknown command '{}' (commands: {})", arg, fmt::join(names, ", "));
    }
    return std::nullopt;
}

}  // namespace billrun::app
