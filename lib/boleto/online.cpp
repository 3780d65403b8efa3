// Registration through bank APIs: record the attempt, send once, look up whatever is unsure.
#include "online.hpp"

#include <map>
#include <memory>

#include <fmt/format.h>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/ledger/bankapi.hpp>
#include <billrun/ledger/deliveries.hpp>

#include "online_steps.hpp"

namespace billrun::boleto {

namespace {

bankapi::Title title_of(const ledger::Boleto& b)
{
    bankapi::Title t;
    t.seu_numero = b.invoice_id;
    t.nosso_numero = b.nosso_numero;
    t.issue_date = b.issue_date;
    t.due_date = b.due_date;
    t.amount = b.amount;
    t.fine_percent = b.fine_percent;
    t.interest_per_day = b.interest_per_day;
    const auto& p = b.payer;
    t.payer = bankapi::Payer{p.name, p.tax_id, p.email, ledger::street_line(p), p.district, p.city, p.state, p.zip};
    return t;
}

class Registrar {
public:
    Registrar(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, std::int64_t run)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_run(run), m_adapters(ledger, config, ctx, run)
    {
    }

    Result<OnlineOutcome> run()
    {
        std::int64_t after = 0;
        while (true) {
            auto batch = ledger::registrations_to_send(m_ledger, after, 200);
            if (!batch) {
                return tl::unexpected(batch.error());
            }
            if (batch->empty()) {
                return m_out;
            }
            after = batch->back().boleto.key;
            for (const auto& r : *batch) {
                if (m_down.contains(r.boleto.account)) {
                    continue;  // that bank is not answering: the next run tries again
                }
                if (auto done = register_one(r); !done) {
                    return tl::unexpected(done.error());
                }
            }
        }
    }

private:
    // A step that writes to the ledger, in its own transaction: nothing is held while waiting on a bank.
    template <typename F>
    Result<void> write(F&& body)
    {
        return detail::in_own_transaction(m_ledger, std::forward<F>(body));
    }

    Result<bankapi::Adapter*> adapter(const std::string& account_id)
    {
        const config::BankAccount* account = m_config.boleto.find_account(account_id);
        if (account == nullptr || account->registration != "api") {
            return fail(ErrorCode::config,
                        fmt::format("{}: boleto account '{}' has boletos waiting for registration through its bank's "
                                    "API, but is no longer an account with registration: api",
                                    m_config.file.string(), account_id));
        }
        return m_adapters.get(*account);
    }

    // The bank did not answer: the boleto stays pending, looked up first by the next run.
    Result<void> down(const ledger::Boleto& b, const std::string& why)
    {
        m_down.insert({b.account, true});
        if (m_out.unavailable.empty()) {
            m_out.unavailable = fmt::format("boleto account '{}': {}", b.account, why);
        }
        m_ctx.warn(fmt::format("invoice {}: boleto {} not registered yet ({}); the next run looks it up before "
                               "sending anything",
                               b.invoice_id, b.nosso_numero, why));
        return {};
    }

    Result<void> set_aside(const ledger::Boleto& b, std::string_view status, const std::string& why)
    {
        m_ctx.warn(fmt::format("invoice {} set aside: {}", b.invoice_id, why));
        m_out.set_aside.push_back(SetAsideInvoice{b.invoice_id, why});
        return write([&] { return ledger::mark_registration_failed(m_ledger, m_run, b.key, status, why); });
    }

    // The bank has the boleto: it must be billrun's, digit for digit.
    Result<void> settle(const ledger::Boleto& b, const bankapi::Remote& remote, std::string_view how)
    {
        if (remote.barcode != b.barcode || remote.linha_digitavel != b.linha_digitavel) {
            return set_aside(b, "mismatch",
                             fmt::format("the bank's boleto differs from billrun's: barcode {} (billrun {}), linha "
                                         "digitável {} (billrun {})",
                                         remote.barcode.empty() ? "(none)" : remote.barcode, b.barcode,
                                         remote.linha_digitavel.empty() ? "(none)" : remote.linha_digitavel,
                                         b.linha_digitavel));
        }
        ++m_out.registered;
        return write([&]() -> Result<void> {
            if (auto r = ledger::mark_registered(m_ledger, m_run, b.key, remote.bank_id, how); !r) {
                return r;
            }
            auto queued = ledger::queue_delivery(m_ledger, m_run, b.invoice, "boleto");
            return queued ? Result<void>() : tl::unexpected(queued.error());
        });
    }

    // Looks the boleto up and settles it when the bank has it. True when done with it (found,
    // or the bank could not say: it stays pending), false when the bank does not know it.
    Result<bool> found_and_settled(bankapi::Adapter& api, const ledger::Boleto& b, const std::string& how)
    {
        auto found = api.query(b.nosso_numero);
        if (!found) {
            if (found.error().code != ErrorCode::unavailable && found.error().code != ErrorCode::data_invalid) {
                return tl::unexpected(found.error());
            }
            auto r = down(b, found.error().message);
            return r ? Result<bool>(true) : tl::unexpected(r.error());
        }
        if (!*found) {
            return false;
        }
        auto r = settle(b, **found, how);
        return r ? Result<bool>(true) : tl::unexpected(r.error());
    }

    Result<void> register_one(const ledger::Registration& r)
    {
        const ledger::Boleto& b = r.boleto;
        auto api = adapter(b.account);
        if (!api) {
            return tl::unexpected(api.error());
        }
        if (r.attempts > 0) {
            // An earlier request may have arrived without its answer: ask before sending again.
            auto done = found_and_settled(**api, b, "found by lookup after an earlier request went unanswered");
            if (!done || *done) {
                return done ? Result<void>() : tl::unexpected(done.error());
            }
        }
        if (auto counted = write([&] { return ledger::count_registration_attempt(m_ledger, m_run, b.key); });
            !counted) {
            return counted;
        }
        auto answer = (*api)->register_title(title_of(b));
        if (!answer) {
            if (answer.error().code == ErrorCode::unavailable) {
                return down(b, answer.error().message);
            }
            return tl::unexpected(answer.error());
        }
        switch (answer->outcome) {
        case bankapi::RegisterOutcome::registered:
            return settle(b, answer->remote, "registered");
        case bankapi::RegisterOutcome::rejected:
            return set_aside(b, "rejected", fmt::format("the bank refused the boleto: {}", answer->message));
        case bankapi::RegisterOutcome::already_registered:
        case bankapi::RegisterOutcome::unknown:
        case bankapi::RegisterOutcome::pending:
            break;
        }
        // Perhaps registered, or registered before: looked up, never sent again.
        const bool duplicate = answer->outcome == bankapi::RegisterOutcome::already_registered;
        auto done = found_and_settled(**api, b,
                                      duplicate ? fmt::format("already registered ({}): found by lookup", answer->message)
                                                : fmt::format("no answer ({}): found by lookup", answer->message));
        if (!done || *done) {
            return done ? Result<void>() : tl::unexpected(done.error());
        }
        return down(b, duplicate ? fmt::format("the bank says the boleto exists ({}) but cannot find it", answer->message)
                                 : fmt::format("{}; not found by lookup", answer->message));
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    std::int64_t m_run;
    detail::Adapters m_adapters;
    std::map<std::string, bool> m_down;
    OnlineOutcome m_out;
};

}  // namespace

Result<OnlineOutcome> register_online(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                      std::int64_t run)
{
    Registrar registrar(ledger, config, ctx, run);
    return registrar.run();
}

}  // namespace billrun::boleto
