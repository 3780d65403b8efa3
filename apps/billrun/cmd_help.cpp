// billrun help [COMMAND]: the man page of a command (billrun(1) without one, billrun.yaml(5)
// for "billrun.yaml"), from the pages compiled into the binary. At a terminal with man(1)
// installed, man shows it (bold, pager); otherwise it is printed as plain text.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include <billrun/io/roff.hpp>

#include "app.hpp"
#include "man_pages.hpp"
#include "suggest.hpp"

namespace billrun::app {

namespace {

constexpr std::string_view k_config_page = "billrun.yaml.5";

// The page's file name for a topic: "" or "billrun" for billrun.1, a command, or the
// configuration file ("billrun.yaml", "yaml", "config").
std::string page_name(std::string_view topic)
{
    if (topic.empty() || topic == "billrun" || topic == "help") {
        return "billrun.1";
    }
    if (topic == "billrun.yaml" || topic == "yaml" || topic == "config" || topic == k_config_page) {
        return std::string(k_config_page);
    }
    return fmt::format("billrun-{}.1", topic);
}

std::vector<std::string> topics()
{
    std::vector<std::string> names;
    for (const auto& page : embedded_man_pages()) {
        std::string_view name = page.name;
        if (name.starts_with("billrun-") && name.ends_with(".1")) {
            names.emplace_back(name.substr(8, name.size() - 10));
        }
    }
    names.emplace_back("billrun.yaml");
    return names;
}

bool man_on_path()
{
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "";
    while (!dirs.empty()) {
        auto end = dirs.find(':');
        std::filesystem::path dir(dirs.substr(0, end));
        if (!dir.empty() && access((dir / "man").c_str(), X_OK) == 0) {
            return true;
        }
        dirs = end == std::string_view::npos ? std::string_view() : dirs.substr(end + 1);
    }
    return false;
}

// man -l - reads the page from its standard input; false when it could not show it.
bool show_with_man(std::string_view roff)
{
    std::FILE* pipe = popen("man -l -", "w");
    if (!pipe) {
        return false;
    }
    bool written = std::fwrite(roff.data(), 1, roff.size(), pipe) == roff.size();
    return pclose(pipe) == 0 && written;
}

Result<int> run_help(const std::string& topic)
{
    auto name = page_name(topic);
    for (const auto& page : embedded_man_pages()) {
        if (page.name != name) {
            continue;
        }
        std::cout.flush();
        if (isatty(STDOUT_FILENO) && man_on_path() && show_with_man(page.text)) {
            return 0;
        }
        std::cout << io::render_man(page.text);
        return 0;
    }
    auto names = topics();
    if (auto near = nearest_name(topic, names)) {
        return fail(ErrorCode::usage, fmt::format("no help for '{}'; did you mean '{}'?", topic, *near));
    }
    return fail(ErrorCode::usage, fmt::format("no help for '{}' (topics: {})", topic, fmt::join(names, ", ")));
}

}  // namespace

void setup_help(CLI::App& app, AppContext& ctx)
{
    auto topic = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("help", "Show the manual of billrun, of a command, or of billrun.yaml");
    sub->add_option("COMMAND", *topic, "A command, or billrun.yaml (none: billrun itself)");
    sub->callback([&ctx, topic] { ctx.action = [topic] { return run_help(*topic); }; });
}

}  // namespace billrun::app
