// billrun import KIND FILE...: customers, services or contracts from CSV or YAML.
#include <iostream>

#include <fmt/format.h>

#include <billrun/core/text.hpp>
#include <billrun/import/import.hpp>

#include "app.hpp"

namespace billrun::app {

namespace {

struct ImportCommand {
    std::string kind;
    std::vector<std::string> files;
    bool skip_invalid = false;
};

io::Map report_document(const import::FileReport& report, import::Kind kind, bool committed)
{
    io::List errors;
    for (const auto& p : report.errors) {
        errors.emplace_back(io::Map{{"line", p.line}, {"column", p.column}, {"message", p.message}});
    }
    return io::Map{{"kind", "import-report"},
                   {"version", 1},
                   {"file", report.file},
                   {"records", std::string(import::kind_name(kind))},
                   {"committed", committed},
                   {"created", report.created},
                   {"updated", report.updated},
                   {"unchanged", report.unchanged},
                   {"invalid", report.invalid},
                   {"errors", std::move(errors)}};
}

Result<int> run_import(AppContext& ctx, const ImportCommand& cmd)
{
    auto kind = import::parse_kind(cmd.kind);
    if (!kind) {
        return fail(ErrorCode::usage, fmt::format("cannot import '{}': expected customers, services, contracts, "
                                                  "charges or payments",
                                                  cmd.kind));
    }
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    import::Options options{*kind, cmd.files, cmd.skip_invalid};
    auto outcome = import::run_import(*stage->ledger, *stage->config, stage->run, options);
    if (!outcome) {
        return tl::unexpected(outcome.error());
    }
    for (const auto& w : outcome->warnings) {
        ctx.warn(w.text());
    }
    for (const auto& report : outcome->reports) {
        for (const auto& p : report.errors) {
            std::cerr << for_terminal(p.text()) << '\n';
        }
        ctx.write_document(*stage->out, stage->format, report_document(report, *kind, outcome->committed));
    }
    if (outcome->invalid > 0 && !cmd.skip_invalid) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("{} invalid record(s); nothing was imported (fix them, or pass --skip-invalid "
                                "to import the valid ones)",
                                outcome->invalid));
    }
    if (outcome->invalid > 0) {
        ctx.warn(fmt::format("{} invalid record(s) set aside; {}", outcome->invalid,
                             ctx.options.dry_run ? "dry run: nothing was written" : "the others were imported"));
        return 1;
    }
    if (ctx.options.dry_run) {
        ctx.info("dry run: nothing was written");
    }
    return 0;
}

}  // namespace

void setup_import(CLI::App& app, AppContext& ctx)
{
    auto cmd = std::make_shared<ImportCommand>();
    auto* sub = app.add_subcommand("import", "Load customers, services, contracts, charges or payments (CSV or YAML, '-' = stdin)");
    sub->add_option("KIND", cmd->kind, "customers | services | contracts | charges | payments")->required();
    sub->add_option("FILE", cmd->files, "Files to import ('-' = stdin)")->required();
    sub->add_flag("--skip-invalid", cmd->skip_invalid, "Import the valid rows and report the rest (exit 1)");
    sub->callback([&ctx, cmd] { ctx.action = [&ctx, cmd] { return run_import(ctx, *cmd); }; });
}

}  // namespace billrun::app
