// billrun cancel INVOICE --reason TEXT --code 1|2|9: the NFS-e cancellation event, the
// invoice cancelled, its boleto marked for write-off, and written off through the bank's API
// for accounts with registration: api (with any write-off an earlier run left pending).
#include <cstdlib>

#include <fmt/format.h>

#include <billrun/billing/cycle.hpp>
#include <billrun/boleto/write_off.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/nfse/cancel.hpp>

#include "app.hpp"

namespace billrun::app {

namespace {


struct CancelCommand {
    std::string invoice;
    std::string reason;
    int code = 0;
};

void tell(const AppContext& ctx, const nfse::CancelOutcome& o, bool online)
{
    const std::string& id = o.invoice_id;
    switch (o.result) {
    case nfse::CancelResult::already_cancelled:
        ctx.info(fmt::format("invoice {} is already cancelled: nothing to do", id));
        return;
    case nfse::CancelResult::event_signed:
        if (!ctx.options.dry_run) {
            ctx.warn(fmt::format("invoice {} stays issued: its NFS-e cancellation is signed ({}) but nfse.endpoint "
                                 "is empty; run 'billrun cancel {}' again with an endpoint to send it",
                                 id, o.event ? o.event->xml_path : std::string(), id));
        }
        return;
    case nfse::CancelResult::rejected:
        ctx.warn(fmt::format("invoice {}: the authority refused the NFS-e cancellation ({}); the invoice stays "
                             "issued",
                             id, o.message));
        return;
    case nfse::CancelResult::unusable_answer:
    case nfse::CancelResult::unavailable:
        ctx.warn(fmt::format("invoice {}: the NFS-e cancellation was not answered ({}); it stays signed and the "
                             "next 'billrun cancel {}' sends the same event",
                             id, o.message, id));
        return;
    case nfse::CancelResult::cancelled:
        break;
    }
    ctx.info(fmt::format("invoice {} cancelled{}", id,
                         o.event ? ": NFS-e cancellation event registered"
                                 : (o.nfse ? ": its NFS-e was never authorized, no event needed" : "")));
    if (!o.effects.boleto.empty() && o.effects.write_off_by_remessa) {
        ctx.info(fmt::format("invoice {}: boleto {} is marked for write-off (status write-off); the next "
                             "'billrun issue-boleto' puts its pedido de baixa into the account's remessa, and a "
                             "retorno reporting the baixa marks it written-off",
                             id, o.effects.boleto));
    } else if (!o.effects.boleto.empty() && !online) {
        ctx.warn(fmt::format("invoice {}: boleto {} is marked for write-off (status write-off), but billrun has "
                             "nothing to send the bank for it now: no remessa carried it or the bank rejected its "
                             "entry (if the bank has it after all, ask the bank to write it off), or its "
                             "registration through the bank's API is not settled yet ('billrun issue-boleto' "
                             "writes it off once it is)",
                             id, o.effects.boleto));
    }
    if (o.effects.credit_returned > 0) {
        ctx.info(fmt::format("invoice {}: {} of credit it had used goes back to the customer", id,
                             format_money(o.effects.credit_returned)));
    }
}

void tell(const AppContext& ctx, const boleto::WriteOffOutcome& w)
{
    for (const auto& id : w.written_off) {
        ctx.info(fmt::format("invoice {}: its boleto is written off at the bank", id));
    }
    for (const auto& item : w.refused) {
        ctx.warn(fmt::format("invoice {}: {}", item.invoice, item.reason));
    }
    for (const auto& item : w.pending) {
        ctx.warn(fmt::format("invoice {} is cancelled, but {}; the next 'billrun cancel' or 'billrun issue-boleto' "
                             "run tries again",
                             item.invoice, item.reason));
    }
}

Result<int> run_cancel(AppContext& ctx, const CancelCommand& cmd)
{
    auto stage = ctx.stage();
    if (!stage) {
        return tl::unexpected(stage.error());
    }
    nfse::CancelOptions options;
    options.invoice = cmd.invoice;
    options.code = cmd.code;
    options.reason = cmd.reason;
    options.app_version = std::string("billrun ") + BILLRUN_VERSION;
    if (const char* password = std::getenv(stage->config->nfse.password_env.c_str()); password != nullptr) {
        options.password = password;
    }
    auto outcome = nfse::cancel_invoice(*stage->ledger, *stage->config, stage->run, options);
    if (!outcome) {
        return tl::unexpected(outcome.error());
    }
    if (outcome->nfse) {
        ctx.write_document(*stage->out, stage->format,
                           nfse::nfse_full_document(*outcome->nfse, outcome->event, ctx.options.dry_run));
    }
    auto invoice = ledger::find_invoice_by_key(*stage->ledger, outcome->invoice);
    if (!invoice) {
        return tl::unexpected(invoice.error());
    }
    if (*invoice) {
        ctx.write_document(*stage->out, stage->format, billing::invoice_document(**invoice));
    }
    // The write-off of boletos registered through a bank API: this invoice's, and any an
    // earlier run left pending. Only once the invoice is cancelled in the ledger.
    boleto::WriteOffOutcome write_offs;
    const bool cancelled = outcome->result == nfse::CancelResult::cancelled ||
                           outcome->result == nfse::CancelResult::already_cancelled;
    if (cancelled) {
        auto done = boleto::write_off_online_run(*stage->ledger, *stage->config, stage->run);
        if (!done) {
            return tl::unexpected(done.error());
        }
        write_offs = std::move(*done);
    }
    const auto& w = write_offs;
    tell(ctx, *outcome, w.concerns(outcome->invoice_id));
    tell(ctx, w);
    if (cancelled && w.unavailable) {
        return exit_code(ErrorCode::unavailable);
    }
    if (cancelled && (!w.refused.empty() || !w.pending.empty())) {
        return 1;
    }
    switch (outcome->result) {
    case nfse::CancelResult::rejected:
    case nfse::CancelResult::unusable_answer:
        return 1;
    case nfse::CancelResult::unavailable:
        return exit_code(ErrorCode::unavailable);
    default:
        return 0;
    }
}

}  // namespace

void setup_cancel(CLI::App& app, AppContext& ctx)
{
    auto cmd = std::make_shared<CancelCommand>();
    auto* sub = app.add_subcommand("cancel", "Cancel an invoice: NFS-e cancellation event, boleto write-off");
    sub->add_option("INVOICE", cmd->invoice, "The invoice's id (A-000123)")->required();
    sub->add_option("--reason", cmd->reason, "Why (xMotivo: 15 to 255 characters)")->required();
    sub->add_option("--code", cmd->code, "1 erro na emissão | 2 serviço não prestado | 9 outros")->required();
    sub->callback([&ctx, cmd] { ctx.action = [&ctx, cmd] { return run_cancel(ctx, *cmd); }; });
}

}  // namespace billrun::app
