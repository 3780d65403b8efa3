// billrun reconcile --bank: ask the bank's API what was paid, then apply it like a retorno.
// Every page is read before anything is applied.
#include <optional>

#include <fmt/format.h>

#include <billrun/bankapi/bankapi.hpp>

#include "apply.hpp"

namespace billrun::reconcile {

namespace {

constexpr int k_max_pages = 10000;

Result<BankFindings> fetch_paid(bankapi::Adapter& api, const config::BankAccount& account, Date since, Date until,
                                const RunContext& ctx)
{
    BankFindings out;
    std::string cursor;
    for (int page = 0; page < k_max_pages; ++page) {
        auto got = api.list_paid(since, until, cursor);
        if (!got) {
            return tl::unexpected(got.error());
        }
        for (const auto& t : got->titles) {
            out.records.push_back(paid_record(account, t, fmt::format("bank:{}", account.id), t.bank_id));
        }
        ctx.progress("paid boletos listed", static_cast<std::int64_t>(out.records.size()), 0);
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
    return fmt::format(R"({{"applied":{},"unmatched":{},"ambiguous":{},"duplicate":{},"ignored":{}}})", c.applied,
                       c.unmatched, c.ambiguous, c.duplicate, c.ignored);
}

}  // namespace

BankRecord paid_record(const config::BankAccount& account, const bankapi::PaidTitle& t, std::string source,
                       std::string record)
{
    BankRecord r;
    r.source = std::move(source);
    r.record = std::move(record);
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
    return r;
}

Result<const config::BankAccount*> api_account(const config::Config& config, const std::string& id,
                                               std::string_view option)
{
    const config::BankAccount* account = config.boleto.find_account(id);
    if (account == nullptr) {
        return fail(ErrorCode::usage,
                    fmt::format("{} {}: {} has no boleto account with that id", option, id, config.file.string()));
    }
    if (account->registration != "api") {
        return fail(ErrorCode::usage, fmt::format("{} {}: the account has registration: {}; reconcile its retorno "
                                                  "files instead",
                                                  option, id, account->registration));
    }
    return account;
}

Result<Summary> run_against_bank(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                 const std::string& command,
                                 const std::function<Result<BankFindings>(std::int64_t run)>& find,
                                 const PaymentSink& sink)
{
    Summary summary;
    summary.started = ctx.now();
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
    auto run = ledger::start_run(ledger, {command, ctx.business_date.iso(), summary.started});
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
    auto findings = find(*run);
    if (!findings) {
        if (auto r = finish("failed", Counts{}); !r) {
            return tl::unexpected(r.error());
        }
        return tl::unexpected(findings.error());
    }
    if (!tx) {
        if (auto r = begin(); !r) {
            return tl::unexpected(r.error());
        }
    }
    auto counts = apply_bank_findings(ledger, config, ctx, *run, *findings, sink);
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

Result<Summary> run_reconcile_bank(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                   const std::string& account_id, Date since, const PaymentSink& sink)
{
    auto account = api_account(config, account_id, "--bank");
    if (!account) {
        return tl::unexpected(account.error());
    }
    const Date until = ctx.business_date;
    if (until < since) {
        return fail(ErrorCode::usage, fmt::format("--since {} is after the business date {}", since.iso(), until.iso()));
    }
    auto find = [&](std::int64_t run) -> Result<BankFindings> {
        auto api = bankapi::open_adapter(**account, bankapi::Circumstances{ledger, ctx, run});
        auto found = api ? fetch_paid(**api, **account, since, until, ctx)
                         : Result<BankFindings>(tl::unexpected(api.error()));
        if (!found) {
            return fail(found.error().code, fmt::format("{}: {}", config.file.string(), found.error().message));
        }
        return found;
    };
    return run_against_bank(ledger, config, ctx, "reconcile --bank " + account_id, find, sink);
}

}  // namespace billrun::reconcile
