// Registration through bank APIs: record the attempt, send once, look up whatever is unsure.
#include "online.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/boleto/write_off.hpp>
#include <billrun/ledger/bank_requests.hpp>
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

    Result<WriteOffOutcome> write_offs()
    {
        WriteOffOutcome out;
        auto done = each_batch(ledger::write_offs_to_send, [](const ledger::Boleto& b) -> const ledger::Boleto& { return b; },
                               [&](const ledger::Boleto& b) -> Result<void> {
                                   const config::BankAccount* account = m_config.boleto.find_account(b.account);
                                   if (account == nullptr || account->registration != "api") {
                                       return {};
                                   }
                                   return write_off_one(b, out);
                               });
        return done ? Result<WriteOffOutcome>(std::move(out)) : tl::unexpected(done.error());
    }

    Result<OnlineOutcome> run()
    {
        auto done = each_batch(ledger::registrations_to_send,
                               [](const ledger::Registration& r) -> const ledger::Boleto& { return r.boleto; },
                               [&](const ledger::Registration& r) { return register_one(r); });
        return done ? Result<OnlineOutcome>(m_out) : tl::unexpected(done.error());
    }

private:
    // Every row `fetch` pages through, in batches, to `each`; rows of an account whose bank is
    // not answering are left for the next run.
    template <typename Fetch, typename BoletoOf, typename Each>
    Result<void> each_batch(Fetch fetch, BoletoOf boleto_of, Each each)
    {
        std::int64_t after = 0;
        while (true) {
            auto batch = fetch(m_ledger, after, 200);
            if (!batch) {
                return tl::unexpected(batch.error());
            }
            if (batch->empty()) {
                return {};
            }
            after = boleto_of(batch->back()).key;
            for (const auto& row : *batch) {
                if (m_down.contains(boleto_of(row).account)) {
                    continue;
                }
                if (auto done = each(row); !done) {
                    return done;
                }
            }
        }
    }

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

    // Sends the baixa once; whatever is unsure (no answer, a refusal) is settled by asking
    // the bank what the boleto is now.
    Result<void> write_off_one(const ledger::Boleto& b, WriteOffOutcome& out)
    {
        auto api = adapter(b.account);
        if (!api) {
            return tl::unexpected(api.error());
        }
        // The boleto as the bank knows it: by our number, or by its own id where it numbered it.
        std::string key = b.nosso_numero;
        if ((*api)->numbers_itself()) {
            auto id = ledger::registered_bank_id(m_ledger, b.key);
            if (!id) {
                return tl::unexpected(id.error());
            }
            key = std::move(*id);
            if (key.empty()) {
                out.pending.push_back(SetAsideInvoice{
                    b.invoice_id, fmt::format("boleto {}: the bank gave no id for it, so it cannot be written off "
                                              "through the API; write it off with the bank's own tools",
                                              b.nosso_numero)});
                return {};
            }
        }
        if (auto r = write([&] { return ledger::record_write_off_sending(m_ledger, m_run, b.key); }); !r) {
            return r;
        }
        auto outcome = [&](std::string_view status, const std::string& how) {
            return write([&] { return ledger::record_write_off_outcome(m_ledger, m_run, b.key, status, how); });
        };
        auto sent = (*api)->write_off(key);
        if (sent) {
            out.written_off.push_back(b.invoice_id);
            return outcome("written-off", "written off through the bank's API");
        }
        if (sent.error().code != ErrorCode::unavailable && sent.error().code != ErrorCode::data_invalid) {
            return tl::unexpected(sent.error());
        }
        const std::string why = sent.error().message;
        auto found = (*api)->query(key);
        if (!found || !*found) {
            const bool no_answer = sent.error().code == ErrorCode::unavailable || !found;
            if (no_answer) {
                m_down.insert({b.account, true});
                out.unavailable = true;
            }
            out.pending.push_back(SetAsideInvoice{
                b.invoice_id, fmt::format("boleto {}: write-off not confirmed ({}{}); it stays pending", b.nosso_numero,
                                          why, found ? "; the bank does not know the boleto" : "")});
            return {};
        }
        const bankapi::Remote& remote = **found;
        if (remote.written_off) {
            out.written_off.push_back(b.invoice_id);
            return outcome("written-off", fmt::format("found written off by lookup after: {}", why));
        }
        if (remote.paid) {
            std::string reason = fmt::format(
                "boleto {} was paid at the bank{}: it cannot be written off; reconcile the payment (it becomes the "
                "customer's credit)",
                b.nosso_numero, remote.paid_on ? " on " + remote.paid_on->iso() : std::string());
            out.refused.push_back(SetAsideInvoice{b.invoice_id, reason});
            return outcome("write-off-refused", reason);
        }
        out.pending.push_back(
            SetAsideInvoice{b.invoice_id, fmt::format("boleto {}: the bank did not write it off ({}); it stays "
                                                      "pending",
                                                      b.nosso_numero, why)});
        return {};
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
    auto out = registrar.run();
    if (!out) {
        return out;
    }
    auto write_offs = registrar.write_offs();  // those a cancel left pending
    if (!write_offs) {
        return tl::unexpected(write_offs.error());
    }
    out->write_offs = std::move(*write_offs);
    return out;
}

bool WriteOffOutcome::concerns(std::string_view invoice) const
{
    auto named = [&](const std::vector<SetAsideInvoice>& list) {
        return std::any_of(list.begin(), list.end(), [&](const auto& i) { return i.invoice == invoice; });
    };
    return named(refused) || named(pending) ||
           std::find(written_off.begin(), written_off.end(), invoice) != written_off.end();
}

Result<WriteOffOutcome> write_off_online(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                         std::int64_t run)
{
    if (ctx.dry_run) {
        return WriteOffOutcome{};
    }
    Registrar registrar(ledger, config, ctx, run);
    return registrar.write_offs();
}

Result<WriteOffOutcome> write_off_online_run(ledger::Ledger& ledger, const config::Config& config,
                                             const RunContext& ctx)
{
    // A run is recorded only when there is a write-off to send: a cancel with nothing for a
    // bank leaves the ledger as it was.
    const auto& accounts = config.boleto.accounts;
    if (ctx.dry_run ||
        std::none_of(accounts.begin(), accounts.end(), [](const auto& a) { return a.registration == "api"; })) {
        return WriteOffOutcome{};
    }
    auto waiting = ledger::write_offs_to_send(ledger, 0, 1);
    if (!waiting || waiting->empty()) {
        return waiting ? Result<WriteOffOutcome>(WriteOffOutcome{}) : tl::unexpected(waiting.error());
    }
    const std::string started = ctx.now();
    std::int64_t run = 0;
    {
        auto tx = ledger::WriteTransaction::begin(ledger);
        if (!tx) {
            return tl::unexpected(tx.error());
        }
        auto made = ledger::start_run(ledger, {"write-off", ctx.business_date.iso(), started});
        if (!made) {
            return tl::unexpected(made.error());
        }
        run = *made;
        if (auto r = tx->commit(); !r) {
            return tl::unexpected(r.error());
        }
    }
    auto out = write_off_online(ledger, config, ctx, run);
    auto tx = ledger::WriteTransaction::begin(ledger);
    if (!tx) {
        return tl::unexpected(tx.error());
    }
    const std::string status = !out ? "failed" : (out->pending.empty() && out->refused.empty() ? "ok" : "partial");
    const std::string counts =
        out ? fmt::format(R"({{"written_off":{},"refused":{},"pending":{}}})", out->written_off.size(),
                          out->refused.size(), out->pending.size())
            : std::string("{}");
    if (auto r = ledger::finish_run(ledger, run, ctx.now(), status, counts); !r) {
        return tl::unexpected(r.error());
    }
    if (auto r = tx->commit(); !r) {
        return tl::unexpected(r.error());
    }
    return out;
}

}  // namespace billrun::boleto
