// billrun report NAME [CUSTOMER]: aging, statement, stages, invoices, runs (lib/report).
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include <billrun/report/report.hpp>

#include "app.hpp"
#include "suggest.hpp"

namespace billrun::app {

namespace {

struct ReportCommand {
    std::string name;
    std::string argument;
    std::map<std::string, std::string> values;  // option name -> value, as given
};

constexpr std::string_view k_filters[] = {"--customer", "--owner", "--status", "--series", "--command", "--from", "--to"};

// The options each report takes.
bool takes(report::Kind kind, std::string_view option)
{
    auto among = [&](std::initializer_list<std::string_view> names) {
        return std::find(names.begin(), names.end(), option) != names.end();
    };
    switch (kind) {
    case report::Kind::aging: return among({"--customer", "--owner"});
    case report::Kind::statement: return among({"--from", "--to"});
    case report::Kind::stages: return among({"--owner"});
    case report::Kind::invoices: return among({"--customer", "--owner", "--status", "--series", "--from", "--to"});
    case report::Kind::runs: return among({"--status", "--command", "--from", "--to"});
    }
    return false;
}

Result<std::optional<Date>> date_option(const ReportCommand& cmd, const std::string& option)
{
    auto it = cmd.values.find(option);
    if (it == cmd.values.end() || it->second.empty()) {
        return std::optional<Date>();
    }
    auto date = parse_iso_date(it->second);
    if (!date) {
        return fail(ErrorCode::usage, fmt::format("{} '{}' is not a valid date (YYYY-MM-DD)", option, it->second));
    }
    return std::optional<Date>(*date);
}

Result<report::Options> report_options(report::Kind kind, const ReportCommand& cmd)
{
    for (const auto& [option, value] : cmd.values) {
        if (!value.empty() && !takes(kind, option)) {
            return fail(ErrorCode::usage, fmt::format("report {} does not take {}", cmd.name, option));
        }
    }
    report::Options o;
    auto value = [&](const char* option) {
        auto it = cmd.values.find(option);
        return it == cmd.values.end() ? std::string() : it->second;
    };
    o.customer = value("--customer");
    o.owner = value("--owner");
    o.status = value("--status");
    o.series = value("--series");
    o.command = value("--command");
    if (kind == report::Kind::statement) {
        if (cmd.argument.empty()) {
            return fail(ErrorCode::usage, "report statement needs a CUSTOMER (billrun report statement C001)");
        }
        o.customer = cmd.argument;
    } else if (!cmd.argument.empty()) {
        return fail(ErrorCode::usage, fmt::format("report {} takes no argument ('{}')", cmd.name, cmd.argument));
    }
    auto from = date_option(cmd, "--from");
    auto to = date_option(cmd, "--to");
    if (!from || !to) {
        return tl::unexpected(!from ? from.error() : to.error());
    }
    o.from = *from;
    o.to = *to;
    return o;
}

Result<int> run_report(AppContext& ctx, const ReportCommand& cmd)
{
    auto kind = report::parse_kind(cmd.name);
    if (!kind) {
        std::vector<std::string> names(report::names().begin(), report::names().end());
        auto near = nearest_name(cmd.name, names);
        return fail(ErrorCode::usage, near ? fmt::format("unknown report '{}'; did you mean '{}'?", cmd.name, *near)
                                           : fmt::format("unknown report '{}' (reports: {})", cmd.name,
                                                         fmt::join(names, ", ")));
    }
    auto options = report_options(*kind, cmd);
    if (!options) {
        return tl::unexpected(options.error());
    }
    const auto& out_path = ctx.options.out;
    auto format = ctx.options.format.empty() && out_path.ends_with(".txt") ? io::Format::table : ctx.format(io::Format::yaml);
    if (!format) {
        return tl::unexpected(format.error());
    }
    if (*kind == report::Kind::aging || *kind == report::Kind::statement) {
        // Only these are as of a business date; the configuration gives today's time zone.
        std::string timezone = "UTC";
        if (ctx.options.date.empty()) {
            auto config = ctx.config();
            if (!config) {
                return tl::unexpected(config.error());
            }
            timezone = (*config)->company.timezone;
        }
        auto run = ctx.run_context(timezone);
        if (!run) {
            return tl::unexpected(run.error());
        }
        options->business_date = run->business_date;
    }
    auto ledger = ctx.open_ledger();
    if (!ledger) {
        return tl::unexpected(ledger.error());
    }
    auto out = ctx.out();
    if (!out) {
        return tl::unexpected(out.error());
    }
    auto written = report::write_report(**ledger, *kind, *options, *format, **out);
    if (!written) {
        return tl::unexpected(written.error());
    }
    return 0;
}

}  // namespace

void setup_report(CLI::App& app, AppContext& ctx)
{
    auto cmd = std::make_shared<ReportCommand>();
    auto* sub = app.add_subcommand("report", "Reports: aging | statement CUSTOMER | stages | invoices | runs");
    sub->add_option("NAME", cmd->name, "aging | statement | stages | invoices | runs")->required();
    sub->add_option("CUSTOMER", cmd->argument, "statement: the customer's id");
    const std::map<std::string_view, const char*> help{
        {"--customer", "aging, invoices: only this customer"},
        {"--owner", "aging, stages, invoices: only the customers of this owner"},
        {"--status", "invoices: draft|issued|paid|partly-paid|cancelled|open, comma-separated; runs: a run status"},
        {"--series", "invoices: only this series"},
        {"--command", "runs: only this command (or its first word, e.g. import)"},
        {"--from", "statement, invoices (issue date), runs (business date): from this date, YYYY-MM-DD"},
        {"--to", "statement (default: the business date), invoices, runs: up to this date, YYYY-MM-DD"}};
    for (std::string_view option : k_filters) {
        sub->add_option(std::string(option), cmd->values[std::string(option)], help.at(option));
    }
    sub->callback([&ctx, cmd] { ctx.action = [&ctx, cmd] { return run_report(ctx, *cmd); }; });
}

}  // namespace billrun::app
