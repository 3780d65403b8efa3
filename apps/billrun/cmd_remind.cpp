// billrun remind: the dunning policy (reminders by e-mail, letters, collection stages).
#include <cstdlib>

#include <fmt/format.h>

#include <billrun/dunning/remind.hpp>
#include <billrun/ledger/stage_lock.hpp>
#include <billrun/mail/mail.hpp>

#include "app.hpp"

namespace billrun::app {

namespace {

std::string env_value(const std::string& name)
{
    if (name.empty()) {
        return {};
    }
    const char* value = std::getenv(name.c_str());
    return value == nullptr ? std::string() : std::string(value);
}

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
    const auto& mail_config = stage->config->mail;
    std::unique_ptr<mail::Sender> sender;
    dunning::Delivery delivery;
    if (mail_config.smtp_url.empty()) {
        sender = mail::outbox_sender(mail_config.outbox, /*batch=*/true);
    } else {
        mail::SmtpSettings settings;
        settings.url = mail_config.smtp_url;
        settings.username = env_value(mail_config.username_env);
        settings.password = env_value(mail_config.password_env);
        settings.ca_bundle = mail_config.ca_bundle.string();
        if (!mail_config.password_env.empty() && settings.password.empty()) {
            return fail(ErrorCode::config, fmt::format("mail.password_env: the variable {} is not set",
                                                       mail_config.password_env));
        }
        sender = mail::smtp_sender(std::move(settings));
        delivery.smtp = true;
    }
    delivery.sender = sender.get();
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
        ctx.warn(fmt::format("{} step(s) left pending by a run that stopped: {}", c.stale,
                             delivery.smtp ? "not sent again (the server may have taken them)" : "written again"));
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
