// billrun reconcile FILE...: CNAB retornos, OFX and CSV statements -> payments.
#include <fmt/format.h>

#include <billrun/reconcile/reconcile.hpp>

#include "app.hpp"

namespace billrun::app {

namespace {

struct ReconcileCommand {
    std::vector<std::string> files;
};

Result<int> run_reconcile(AppContext& ctx, const ReconcileCommand& cmd)
{
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    reconcile::PaymentSink sink = [&](const io::Map& doc) { ctx.write_document(*stage->out, stage->format, doc); };
    auto summary = reconcile::run_reconcile(*stage->ledger, *stage->config, stage->run, cmd.files, sink);
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.write_document(*stage->out, stage->format, reconcile::reconcile_run_document(*summary, stage->run));
    const auto& c = summary->counts;
    ctx.info(fmt::format("{} applied, {} unmatched, {} ambiguous, {} rejected, {} duplicate{}", c.applied, c.unmatched,
                         c.ambiguous, c.rejected, c.duplicate, ctx.options.dry_run ? " (dry run: nothing written)" : ""));
    return c.unmatched + c.ambiguous + c.rejected > 0 ? 1 : 0;
}

}  // namespace

void setup_reconcile(CLI::App& app, AppContext& ctx)
{
    auto cmd = std::make_shared<ReconcileCommand>();
    auto* sub = app.add_subcommand("reconcile", "CNAB 240/400 retornos, OFX and CSV bank statements -> payments");
    sub->add_option("FILE", cmd->files, "Retorno or statement files (format detected from content)")->required();
    sub->callback([&ctx, cmd] { ctx.action = [&ctx, cmd] { return run_reconcile(ctx, *cmd); }; });
}

}  // namespace billrun::app
