// billrun cycle: bill every contract period due up to the business date.
#include <fmt/format.h>

#include <billrun/billing/cycle.hpp>

#include "app.hpp"
#include "invoice_pipe.hpp"

namespace billrun::app {

namespace {

Result<int> run_cycle(AppContext& ctx)
{
    auto format = ctx.format(io::Format::yaml);
    if (!format) {
        return tl::unexpected(format.error());
    }
    auto config = ctx.config();
    if (!config) {
        return tl::unexpected(config.error());
    }
    auto run = ctx.run_context((*config)->company.timezone);
    if (!run) {
        return tl::unexpected(run.error());
    }
    auto ledger = ctx.open_ledger();
    if (!ledger) {
        return tl::unexpected(ledger.error());
    }
    auto out = ctx.out();
    if (!out) {
        return tl::unexpected(out.error());
    }
    InvoicePipe pipe(ctx, **out, *format);
    auto summary = billing::run_cycle(**ledger, **config, *run, pipe.sink());
    pipe.finish();
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.write_document(**out, *format, billing::cycle_run_document(*summary, *run, "cycle"));
    if (ctx.options.dry_run) {
        ctx.info(fmt::format("dry run: {} invoice(s) would be created; nothing was written", summary->invoices));
    }
    return summary->set_aside.empty() ? 0 : 1;
}

}  // namespace

void setup_cycle(CLI::App& app, AppContext& ctx)
{
    auto* sub = app.add_subcommand("cycle", "Bill every contract period due up to the business date");
    sub->callback([&ctx] { ctx.action = [&ctx] { return run_cycle(ctx); }; });
}

}  // namespace billrun::app
