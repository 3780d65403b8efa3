// billrun reconcile --webhook FILE...: saved webhook payloads are hints. Every file is read
// and parsed before anything else (a bad one changes nothing and asks no bank); each hinted
// boleto is then asked of the bank once, and only what the bank says was paid is applied,
// like a retorno record under the same exactly-once rule.
#include <iterator>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/io/files.hpp>

#include "apply.hpp"

namespace billrun::reconcile {

namespace {

struct Hint {
    bankapi::WebhookHint hint;
    std::string file;
    const config::BankAccount* account = nullptr;
};

std::string without_leading_zeros(std::string_view digits)
{
    auto first = digits.find_first_not_of('0');
    return first == std::string_view::npos ? std::string() : std::string(digits.substr(first));
}

// The accounts whose webhooks the files may hold: the one named, or every account with
// registration: api whose provider reads webhooks (all of one provider).
Result<std::vector<const config::BankAccount*>> webhook_accounts(const config::Config& config,
                                                                 const std::string& account_id)
{
    std::vector<const config::BankAccount*> out;
    if (!account_id.empty()) {
        auto account = api_account(config, account_id, "--bank");
        if (!account) {
            return tl::unexpected(account.error());
        }
        out.push_back(*account);
    } else {
        std::set<std::string> providers;
        for (const auto& a : config.boleto.accounts) {
            if (a.registration == "api" && bankapi::has_webhooks(a)) {
                out.push_back(&a);
                providers.insert(a.api->provider);
            }
        }
        if (providers.size() > 1) {
            return fail(ErrorCode::usage, fmt::format("--webhook: {} has accounts of several bank API providers ({}); "
                                                      "name the payloads' account with --bank",
                                                      config.file.string(), fmt::join(providers, ", ")));
        }
    }
    if (out.empty() || !bankapi::has_webhooks(*out.front())) {
        return fail(ErrorCode::usage, fmt::format("--webhook: {} has no boleto account with registration: api whose "
                                                  "provider sends webhooks",
                                                  config.file.string()));
    }
    return out;
}

Result<std::string> read_whole(const std::string& name)
{
    auto input = io::open_input(name);
    if (!input) {
        return tl::unexpected(input.error());
    }
    std::string text(std::istreambuf_iterator<char>(*input->stream), {});
    if (input->stream->bad()) {
        return fail(ErrorCode::no_input, fmt::format("{}: read error", name));
    }
    return text;
}

ledger::Payment unconfirmed(const Hint& h, const RunContext& ctx, std::string reason)
{
    ledger::Payment p;
    p.source = h.file;
    p.record = h.hint.place;
    p.nosso_numero = h.hint.nosso_numero;
    p.date = h.hint.paid_on.value_or(ctx.business_date);
    p.amount = h.hint.amount.value_or(0);
    p.status = "unmatched";
    p.reason = std::move(reason);
    return p;
}

// Every hint of every file, each with its account; nothing asked of any bank yet.
Result<std::vector<Hint>> read_hints(const std::vector<std::string>& files,
                                     const std::vector<const config::BankAccount*>& accounts)
{
    std::vector<Hint> out;
    for (const auto& file : files) {
        auto payload = read_whole(file);
        if (!payload) {
            return tl::unexpected(payload.error());
        }
        auto hints = bankapi::parse_webhook(*accounts.front(), *payload);
        if (!hints) {
            return fail(hints.error().code, fmt::format("{}: {}", file, hints.error().message));
        }
        for (auto& hint : *hints) {
            Hint h{std::move(hint), file, nullptr};
            for (const auto* a : accounts) {
                if (h.hint.convenio.empty() ? accounts.size() == 1
                                            : without_leading_zeros(a->convenio) == without_leading_zeros(h.hint.convenio)) {
                    h.account = a;
                    break;
                }
            }
            out.push_back(std::move(h));
        }
    }
    return out;
}

class Confirmer {
public:
    Confirmer(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, std::int64_t run)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_run(run)
    {
    }

    // Asks the bank about each hinted boleto once. Errors: config, unavailable, data_invalid
    // (the bank's answer): nothing is applied then.
    Result<BankFindings> confirm(const std::vector<Hint>& hints)
    {
        BankFindings out;
        std::set<std::string> asked;
        for (const auto& h : hints) {
            if (h.account == nullptr) {
                out.unconfirmed.push_back(unconfirmed(
                    h, m_ctx,
                    h.hint.convenio.empty()
                        ? std::string("webhook hint not applied: it names no convênio, and several accounts could be "
                                      "its own (name one with --bank)")
                        : fmt::format("webhook hint not applied: no boleto account with registration: api has "
                                      "convênio {}",
                                      h.hint.convenio)));
                continue;
            }
            if (!asked.insert(h.account->id + ":" + h.hint.nosso_numero).second) {
                ++out.ignored;  // the same boleto hinted again (an event delivered twice): asked once
                continue;
            }
            if (auto r = confirm_one(h, out); !r) {
                return tl::unexpected(r.error());
            }
            m_ctx.progress("webhook hints confirmed", static_cast<std::int64_t>(asked.size()), 0);
        }
        return out;
    }

private:
    Result<void> confirm_one(const Hint& h, BankFindings& out)
    {
        auto api = m_adapters.get(*h.account);
        if (!api) {
            return tl::unexpected(api.error());
        }
        auto found = (*api)->query(h.hint.nosso_numero);
        if (!found) {
            return fail(found.error().code, fmt::format("{}: {}: boleto {}: {}", h.file, h.hint.place,
                                                        h.hint.nosso_numero, found.error().message));
        }
        const auto not_confirmed = [&](std::string why) {
            out.unconfirmed.push_back(unconfirmed(h, m_ctx, "webhook hint not confirmed by the bank: " + why));
            return Result<void>();
        };
        if (!*found) {
            return not_confirmed(fmt::format("boleto account '{}': the bank does not know boleto {}", h.account->id,
                                             h.hint.nosso_numero));
        }
        const bankapi::Remote& remote = **found;
        if (!remote.paid) {
            if (h.hint.undone) {
                ++out.ignored;  // a payment taken back, and the bank agrees it is not paid
                return {};
            }
            return not_confirmed(fmt::format("the bank says the boleto is not paid (state {})",
                                             remote.state.empty() ? "unknown" : remote.state));
        }
        if (!remote.paid_on) {
            return not_confirmed("the bank says the boleto is paid but gives no payment date");
        }
        if (h.hint.amount && !h.hint.undone && *h.hint.amount != remote.paid_amount) {
            return not_confirmed(fmt::format("the webhook says {} was paid, the bank says {}",
                                             format_money(*h.hint.amount), format_money(remote.paid_amount)));
        }
        bankapi::PaidTitle t;
        t.bank_id = remote.bank_id;
        t.nosso_numero = h.hint.nosso_numero;
        t.amount = remote.paid_amount;
        t.paid_on = *remote.paid_on;
        t.credit_date = remote.credit_date;
        t.state = remote.state;
        out.records.push_back(paid_record(*h.account, t, h.file, h.hint.place));
        return {};
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    std::int64_t m_run;
    bankapi::AdapterCache m_adapters{m_config, bankapi::Circumstances{m_ledger, m_ctx, m_run}};
};

}  // namespace

Result<Summary> run_reconcile_webhooks(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                       const std::vector<std::string>& files, const std::string& account_id,
                                       const PaymentSink& sink)
{
    auto accounts = webhook_accounts(config, account_id);
    if (!accounts) {
        return tl::unexpected(accounts.error());
    }
    auto hints = read_hints(files, *accounts);
    if (!hints) {
        return tl::unexpected(hints.error());
    }
    auto find = [&](std::int64_t run) { return Confirmer(ledger, config, ctx, run).confirm(*hints); };
    return run_against_bank(ledger, config, ctx, "reconcile --webhook", find, sink);
}

}  // namespace billrun::reconcile
