// billrun: recurring billing in batch. main builds the command line, parses it, runs the
// chosen command and maps its error to the exit codes of the man page. Nothing else.
#include <iostream>

#include <fmt/format.h>

#include <billrun/core/text.hpp>

#include "app.hpp"
#include "suggest.hpp"

namespace {

constexpr int k_exit_usage = 64;
constexpr int k_exit_internal = 70;

void add_global_options(CLI::App& app, billrun::app::GlobalOptions& o)
{
    app.option_defaults()->always_capture_default(false);
    app.add_option("--ledger", o.ledger, "Ledger file (default $BILLRUN_LEDGER, else ./billrun.db)");
    app.add_option("--config", o.config, "Configuration (default $BILLRUN_CONFIG, else ./billrun.yaml)");
    app.add_option("--date", o.date, "Business date YYYY-MM-DD (default today in the company's time zone)");
    app.add_flag("--dry-run", o.dry_run, "Compute and print everything, change nothing");
    app.add_option("-o,--out", o.out, "Where the artifact stream goes (default stdout)");
    app.add_option("--format", o.format, "yaml | json | csv | table (reports and listings)");
    app.add_flag("-q,--quiet", o.quiet, "Only errors on stderr");
    app.add_flag("-v,--verbose", o.verbose, "More detail on stderr");
}

}  // namespace

int main(int argc, char** argv)
{
    std::ios::sync_with_stdio(false);
    billrun::app::AppContext ctx;
    CLI::App app{"billrun: recurring billing for Brazilian service companies "
                 "(contracts, NFS-e, boletos, dunning, reconciliation)",
                 "billrun"};
    app.set_version_flag("--version", std::string("billrun ") + BILLRUN_VERSION);
    add_global_options(app, ctx.options);
    app.require_subcommand(1);
    billrun::app::setup_init(app, ctx);
    billrun::app::setup_import(app, ctx);
    billrun::app::setup_cycle(app, ctx);
    billrun::app::setup_approve(app, ctx);
    billrun::app::setup_emit_nfse(app, ctx);
    billrun::app::setup_issue_boleto(app, ctx);
    billrun::app::setup_reconcile(app, ctx);
    billrun::app::setup_remind(app, ctx);
    billrun::app::setup_cancel(app, ctx);
    billrun::app::setup_report(app, ctx);
    billrun::app::setup_show(app, ctx);
    billrun::app::setup_help(app, ctx);
    for (auto* sub : app.get_subcommands({})) {
        sub->fallthrough();
    }

    if (auto unknown = billrun::app::unknown_command(app, argc, argv)) {
        std::cerr << "billrun: error: " << billrun::for_terminal(*unknown) << '\n';
        return k_exit_usage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "billrun: error: " << billrun::for_terminal(e.what()) << "\n(run 'billrun --help' or 'billrun COMMAND --help')\n";
        return k_exit_usage;
    }
    if (!ctx.action) {
        std::cerr << "billrun: error: no command given (run 'billrun --help')\n";
        return k_exit_usage;
    }
    try {
        auto result = ctx.action();
        auto flushed = ctx.finish_output();
        if (!result) {
            std::cerr << "billrun: error: " << billrun::for_terminal(result.error().message) << '\n';
            return billrun::exit_code(result.error().code);
        }
        if (!flushed) {
            std::cerr << "billrun: error: " << billrun::for_terminal(flushed.error().message) << '\n';
            return billrun::exit_code(flushed.error().code);
        }
        return *result;
    } catch (const std::exception& e) {
        std::cerr << "billrun: error: internal error: " << billrun::for_terminal(e.what()) << '\n';
        return k_exit_internal;
    }
}
