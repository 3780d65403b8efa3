// billrun remind: the dunning policy (reminders by e-mail, letters, collection stages).
#include <fmt/format.h>

#include <billrun/dunning/remind.hpp>
#include <billrun/ledger/stage_lock.hpp>
#include <billrun/mail/mail.hpp>

#include "app.hpp"
#include "mail_out.hpp"

namespace billrun::app {

namespace {

Result<int> run_remind(AppContext& ctx)
{
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    // One remind at a time per ledger: a step left 'pending' then belongs to a dead run.
    auto lock = ledger::StageLock::acquire(*stage->ledger, "remind", ctx.busy_timeout_ms());
    if (!lock) {
        return tl::unexpected(lock.error());
    }
    auto mail = mail_out(*stage);
    if (!mail) {
        return tl::unexpected(mail.error());
    }
    const dunning::Delivery& delivery = mail->delivery;
    dunning::ReminderSink sink = [&](const io::Map& doc) { ctx.write_document(*stage->out, stage->format, doc); };
    auto summary = dunning::run_remind(*stage->ledger, *stage->config, stage->run, delivery, sink);
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.write_document(*stage->out, stage->format, dunning::remind_run_document(*summary, stage->run));
    const auto& c = summary->counts;
    ctx.info(fmt::format("{} e-mail(s), {} letter(s), {} other step(s), {} skipped, {} failed{}", c.sent, c.letters,
                         c.done, c.skipped, c.failed, ctx.options.dry_run ? " (dry run: nothing written)" : ""));
    if (c.stale > 0) {
        ctx.warn(fmt::format("{} step(s) left pending by a run that stopped: an e-mail handed to the mail server "
                             "is not sent again (it may have taken it); the rest are done again",
                             c.stale));
    }
    if (summary->remote_failed) {
        return fail(ErrorCode::unavailable,
                    fmt::format("the mail server failed; {} step(s) were not sent and are tried again by the next run",
                                c.failed));
    }
    return c.failed > 0 ? 1 : 0;
}

}  // namespace

void setup_remind(CLI::App& app, AppContext& ctx)
{
    auto* sub = app.add_subcommand("remind", "Apply the dunning policy: reminders, late charges, letters, stages");
    sub->callback([&ctx] { ctx.action = [&ctx] { return run_remind(ctx); }; });
}

}  // namespace billrun::app
