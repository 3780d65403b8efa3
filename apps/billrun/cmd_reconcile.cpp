// billrun reconcile FILE... | --bank ACCOUNT [--since DATE] | --webhook FILE... [--bank ACCOUNT]:
// CNAB retornos, OFX and CSV statements, the paid boletos a bank's API lists, or the bank's
// webhook payloads confirmed by asking the bank -> payments.
#include <sstream>

#include <fmt/format.h>

#include <billrun/reconcile/reconcile.hpp>

#include "app.hpp"
#include "document_pipe.hpp"

namespace billrun::app {

namespace {

struct ReconcileCommand {
    std::vector<std::string> files;
    std::string bank;
    std::string since;
    bool webhook = false;
};

// Without --since: the last 30 days (listing a payment again applies nothing twice).
constexpr int k_default_days_back = 30;

Result<int> run_reconcile(AppContext& ctx, const ReconcileCommand& cmd)
{
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    // The documents are built and written on a second thread while the ledger thread applies
    // the next records: on a million-record retorno they are a tenth of the work.
    const io::Format format = stage->format;
    DocumentPipe<reconcile::PaymentOutcome> pipe(*stage->out, [&ctx, format](std::string& text,
                                                                           const reconcile::PaymentOutcome& payment) {
        const io::Map doc = reconcile::payment_document(payment);
        if (format == io::Format::yaml) {
            io::append_yaml_document(text, doc);
            return;
        }
        std::ostringstream one;
        ctx.write_document(one, format, doc);
        text += one.str();
    });
    reconcile::PaymentSink sink = [&pipe](reconcile::PaymentOutcome payment) { pipe.push(std::move(payment)); };
    Result<reconcile::Summary> summary;
    if (cmd.webhook) {
        summary = reconcile::run_reconcile_webhooks(*stage->ledger, *stage->config, stage->run, cmd.files, cmd.bank,
                                                    sink);
    } else if (!cmd.bank.empty()) {
        Date since = stage->run.business_date.add_days(-k_default_days_back);
        if (!cmd.since.empty()) {
            auto parsed = parse_iso_date(cmd.since);
            if (!parsed) {
                return fail(ErrorCode::usage, fmt::format("--since '{}' is not a valid date (YYYY-MM-DD)", cmd.since));
            }
            since = *parsed;
        }
        summary = reconcile::run_reconcile_bank(*stage->ledger, *stage->config, stage->run, cmd.bank, since, sink);
    } else {
        summary = reconcile::run_reconcile(*stage->ledger, *stage->config, stage->run, cmd.files, sink);
    }
    pipe.finish();
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
    auto* sub = app.add_subcommand("reconcile",
                                  "CNAB 240/400 retornos, OFX and CSV statements, bank APIs and webhooks -> payments");
    auto* files = sub->add_option("FILE", cmd->files, "Retorno or statement files (format detected from content); "
                                                      "with --webhook, webhook payloads");
    auto* bank = sub->add_option("--bank", cmd->bank, "Ask this boleto account's bank API what was paid "
                                                      "(registration: api); with --webhook, the payloads' account");
    auto* webhook = sub->add_flag("--webhook", cmd->webhook,
                                  "FILEs are saved webhook payloads: hints, each confirmed by asking the bank");
    sub->add_option("--since", cmd->since,
                                  "With --bank: payments from this date (YYYY-MM-DD; default 30 days back)")
                      ->needs(bank)
                      ->excludes(webhook);
    sub->callback([&ctx, cmd, files, bank, webhook] {
        if (webhook->count() > 0 && files->count() == 0) {
            throw CLI::RequiredError("--webhook needs FILE");
        }
        if (webhook->count() == 0 && files->count() > 0 && bank->count() > 0) {
            throw CLI::ExcludesError("FILE", "--bank");
        }
        if (files->count() == 0 && bank->count() == 0) {
            throw CLI::RequiredError("FILE or --bank");
        }
        ctx.action = [&ctx, cmd] { return run_reconcile(ctx, *cmd); };
    });
}

}  // namespace billrun::app
