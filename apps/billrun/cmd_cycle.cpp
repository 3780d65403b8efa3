// billrun cycle: bill every contract period due up to the business date.
#include <fmt/format.h>

#include <billrun/billing/cycle.hpp>

#include "app.hpp"
#include "invoice_pipe.hpp"

namespace billrun::app {

namespace {

Result<int> run_cycle(AppContext& ctx)
{
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    InvoicePipe pipe(ctx, *stage->out, stage->format);
    auto summary = billing::run_cycle(*stage->ledger, *stage->config, stage->run, pipe.sink());
    pipe.finish();
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.write_document(*stage->out, stage->format, billing::cycle_run_document(*summary, stage->run, "cycle"));
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
