#include "mail_out.hpp"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include <billrun/boleto/issue.hpp>
#include <billrun/dunning/documents.hpp>
#include <billrun/ledger/boletos.hpp>
#include <billrun/ledger/deliveries.hpp>
#include <billrun/ledger/stage_lock.hpp>

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

}  // namespace

Result<MailOut> mail_out(Stage& stage)
{
    const auto& mail_config = stage.config->mail;
    MailOut out;
    if (mail_config.smtp_url.empty()) {
        out.sender = mail::outbox_sender(mail_config.outbox, /*batch=*/true);
    } else {
        mail::SmtpSettings settings;
        settings.url = mail_config.smtp_url;
        settings.username = env_value(mail_config.username_env);
        settings.password = env_value(mail_config.password_env);
        settings.ca_bundle = mail_config.ca_bundle.string();
        if (!mail_config.password_env.empty() && settings.password.empty()) {
            return fail(ErrorCode::config,
                        fmt::format("mail.password_env: the variable {} is not set", mail_config.password_env));
        }
        out.sender = mail::smtp_sender(std::move(settings));
        out.delivery.smtp = true;
    }
    out.delivery.sender = out.sender.get();
    ledger::Ledger* ledger = stage.ledger.get();
    const config::Config* config = stage.config;
    out.delivery.boleto_pdf = [ledger, config](std::int64_t invoice) -> Result<std::optional<std::filesystem::path>> {
        auto found = ledger::boleto_of_invoice(*ledger, invoice);
        if (!found) {
            return tl::unexpected(found.error());
        }
        if (!*found) {
            return std::nullopt;
        }
        auto pdf = boleto::own_pdf(**found, *config);
        if (!pdf) {
            return tl::unexpected(pdf.error());
        }
        return *pdf;
    };
    return out;
}

Result<int> send_queued_documents(AppContext& ctx, Stage& stage)
{
    if (stage.run.dry_run) {
        return 0;
    }
    auto waiting = ledger::has_open_deliveries(*stage.ledger);
    if (!waiting) {
        return tl::unexpected(waiting.error());
    }
    if (!*waiting) {
        return 0;
    }
    // One sender at a time per ledger: a row left pending then belongs to a dead run.
    auto lock = ledger::StageLock::acquire(*stage.ledger, "deliver", ctx.busy_timeout_ms());
    if (!lock) {
        return tl::unexpected(lock.error());
    }
    auto out = mail_out(stage);
    if (!out) {
        return tl::unexpected(out.error());
    }
    auto summary = dunning::send_documents(*stage.ledger, *stage.config, stage.run, out->delivery);
    if (!summary) {
        return tl::unexpected(summary.error());
    }
    ctx.write_document(*stage.out, stage.format, dunning::documents_run_document(*summary, stage.run));
    const auto& c = summary->counts;
    ctx.info(fmt::format("auto-send: {} e-mail(s) with documents sent, {} failed{}", c.sent, c.failed,
                         c.dropped > 0 ? fmt::format(", {} document(s) no longer to send", c.dropped) : ""));
    if (c.stale > 0) {
        ctx.warn(fmt::format("auto-send: {} document(s) left pending by a run that stopped: what was handed to "
                             "the mail server is not sent again (it may have taken it); the rest is sent again",
                             c.stale));
    }
    if (summary->remote_failed) {
        ctx.warn("auto-send: the mail server failed; what was not sent is tried again by the next run");
        return exit_code(ErrorCode::unavailable);
    }
    return c.failed > 0 ? 1 : 0;
}

int worse_exit(int a, int b)
{
    if (a == exit_code(ErrorCode::unavailable) || b == exit_code(ErrorCode::unavailable)) {
        return exit_code(ErrorCode::unavailable);
    }
    return std::max(a, b);
}

}  // namespace billrun::app
