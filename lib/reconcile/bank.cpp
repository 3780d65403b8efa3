// billrun reconcile --bank: ask the bank's API what was paid, then apply it like a retorno.
// Every page is read before anything is applied; the network is never waited on with the
// ledger locked (except in a dry run, which writes nothing).
#include <fmt/format.h>

#include <billrun/bankapi/bankapi.hpp>

#include "apply.hpp"

namespace billrun::reconcile {

namespace {

constexpr int k_max_pages = 10000;

Result<std::vector<BankRecord>> fetch_paid(bankapi::Adapter& api, const config::BankAccount& account, Date since,
                                           Date until, const RunContext& ctx)
{
    std::vector<BankRecord> out;
    std::string cursor;
    for (int page = 0; page < k_max_pages; ++page) {
        auto got = api.list_paid(since, until, cursor);
        if (!got) {
            return tl::unexpected(got.error());
        }
        for (const auto& t : got->titles) {
            BankRecord r;
            r.source = fmt::format("bank:{}", account.id);
            r.record = t.bank_id;
            r.bank = account.bank;
            r.key = fmt::format("api:{}:{}:paid:{}:{}", account.bank, t.nosso_numero, t.paid_on.iso(), t.amount);
            r.ret.bank = account.bank;
            r.ret.nosso_numero = t.nosso_numero;
            r.ret.occurrence_code = t.state.empty() ? std::string("paid") : t.state;
            r.ret.occurrence = cnab::Occurrence::paid;
            r.ret.amount_paid = t.amount;
            r.ret.interest = t.interest;
            r.ret.fine = t.fine;
            r.ret.fee = t.fee;
            r.ret.occurrence_date = t.paid_on;
            r.ret.credit_date = t.credit_date;
            out.push_back(std::move(r));
        }
        ctx.progress("paid boletos listed", static_cast<std::int64_t>(out.size()), 0);
        if (got->next.empty()) {
            return out;
        }
        cursor = got->next;
    }
    return fail(ErrorCode::unavailable, fmt::format("boleto account '{}': the bank's list did not end after {} pages",
                                                    account.id, k_max_pages));
}

std::string counts_json(const Counts& c)
{
    return fmt::format(R"({{"applied":{},"unmatched":{},"ambiguous":{},"duplicate":{}}})", c.applied, c.unmatched,
                       c.ambiguous, c.duplicate);
}

}  // namespace

Result<Summary> run_reconcile_bank(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                   const std::string& account_id, Date since, const PaymentSink& sink)
{
    const config::BankAccount* account = config.boleto.find_account(account_id);
    if (account == nullptr) {
        return fail(ErrorCode::usage, fmt::format("--bank {}: {} has no boleto account with that id",
                                                  account_id, config.file.string()));
    }
    if (account->registration != "api") {
        return fail(ErrorCode::usage, fmt::format("--bank {}: the account has registration: {}; reconcile its retorno "
                                                  "files instead",
                                                  account_id, account->registration));
    }
    const Date until = ctx.business_date;
    if (until < since) {
        return fail(ErrorCode::usage, fmt::format("--since {} is after the business date {}", since.iso(), until.iso()));
    }
    Summary summary;
    summary.started = ctx.now();
    // The run is recorded first, so that a token renewed meanwhile has its event.
    std::optional<ledger::WriteTransaction> tx;
    auto begin = [&]() -> Result<void> {
        auto t = ledger::WriteTransaction::begin(ledger);
        if (!t) {
            return tl::unexpected(t.error());
        }
        tx.emplace(std::move(*t));
        return {};
    };
    if (auto r = begin(); !r) {
        return tl::unexpected(r.error());
    }
    auto run = ledger::start_run(ledger, {"reconcile --bank " + account_id, ctx.business_date.iso(), summary.started});
    if (!run) {
        return tl::unexpected(run.error());
    }
    if (!ctx.dry_run) {
        if (auto r = tx->commit(); !r) {
            return tl::unexpected(r.error());
        }
        tx.reset();
    }
    auto finish = [&](const std::string& status, const Counts& counts) -> Result<void> {
        if (!tx) {
            if (auto r = begin(); !r) {
                return r;
            }
        }
        summary.finished = ctx.now();
        if (auto r = ledger::finish_run(ledger, *run, summary.finished, ctx.dry_run ? "dry-run" : status,
                                        counts_json(counts));
            !r) {
            return r;
        }
        if (ctx.dry_run) {
            tx.reset();  // rolled back: a dry run writes nothing
            return {};
        }
        auto r = tx->commit();
        tx.reset();
        return r;
    };
    auto api = bankapi::open_adapter(*account, bankapi::Circumstances{ledger, ctx, *run});
    Result<std::vector<BankRecord>> records =
        api ? fetch_paid(**api, *account, since, until, ctx) : Result<std::vector<BankRecord>>(tl::unexpected(api.error()));
    if (!records) {
        if (auto r = finish("failed", Counts{}); !r) {
            return tl::unexpected(r.error());
        }
        return fail(records.error().code, fmt::format("{}: {}", config.file.string(), records.error().message));
    }
    if (!tx) {
        if (auto r = begin(); !r) {
            return tl::unexpected(r.error());
        }
    }
    auto counts = apply_bank_records(ledger, config, ctx, *run, *records, sink);
    if (!counts) {
        return tl::unexpected(counts.error());
    }
    summary.counts = *counts;
    if (auto r = finish("ok", summary.counts); !r) {
        return tl::unexpected(r.error());
    }
    summary.run = ctx.dry_run ? 0 : *run;
    return summary;
}

}  // namespace billrun::reconcile
