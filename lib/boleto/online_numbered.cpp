// Registration through banks that number the boleto themselves: record, send once, keep the
// bank's request id, write the boleto when the bank's numbers check out.
#include "online_numbered.hpp"

#include <map>
#include <utility>

#include <fmt/format.h>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/boleto/bank.hpp>
#include <billrun/boleto/febraban.hpp>
#include <billrun/core/late.hpp>
#include <billrun/ledger/bank_requests.hpp>
#include <billrun/ledger/bankapi.hpp>
#include <billrun/ledger/deliveries.hpp>

#include "online_steps.hpp"

namespace billrun::boleto {

namespace {

class NumberedRegistrar {
public:
    NumberedRegistrar(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, std::int64_t run)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_run(run), m_adapters(ledger, config, ctx, run)
    {
    }

    Result<OnlineOutcome> run()
    {
        std::int64_t after = 0;
        while (true) {
            auto batch = ledger::bank_requests_to_send(m_ledger, after, 200);
            if (!batch) {
                return tl::unexpected(batch.error());
            }
            if (batch->empty()) {
                return m_out;
            }
            after = batch->back().invoice;
            for (const auto& r : *batch) {
                if (m_down.contains(r.account)) {
                    continue;
                }
                if (auto done = process(r); !done) {
                    return tl::unexpected(done.error());
                }
            }
        }
    }

private:
    template <typename F>
    Result<void> write(F&& body)
    {
        return detail::in_own_transaction(m_ledger, std::forward<F>(body));
    }

    Result<void> down(const ledger::BoletoCandidate& c, const std::string& why)
    {
        m_down.insert({c.account, true});
        if (m_out.unavailable.empty()) {
            m_out.unavailable = fmt::format("boleto account '{}': {}", c.account, why);
        }
        m_ctx.warn(fmt::format("invoice {}: boleto not issued by the bank yet ({}); the next run asks again before "
                               "sending anything",
                               c.invoice_id, why));
        return {};
    }

    Result<void> set_aside(const ledger::BoletoCandidate& c, std::string_view status, const std::string& why)
    {
        m_ctx.warn(fmt::format("invoice {} set aside: {}", c.invoice_id, why));
        m_out.set_aside.push_back(SetAsideInvoice{c.invoice_id, why});
        return write([&] { return ledger::mark_bank_request_failed(m_ledger, m_run, c.invoice, status, why); });
    }

    Result<void> process(const ledger::BankRequest& r)
    {
        auto candidate = ledger::boleto_candidate(m_ledger, r.invoice);
        if (!candidate) {
            return tl::unexpected(candidate.error());
        }
        if (!*candidate) {
            return {};  // no longer due a boleto (cancelled, paid otherwise): the request waits for a person
        }
        const ledger::BoletoCandidate& c = **candidate;
        const config::BankAccount* account = m_config.boleto.find_account(r.account);
        if (account == nullptr || account->registration != "api") {
            return fail(ErrorCode::config, fmt::format("{}: boleto account '{}' has requests waiting at its bank, but "
                                                       "is no longer an account with registration: api",
                                                       m_config.file.string(), r.account));
        }
        auto api = m_adapters.get(*account);
        if (!api) {
            return tl::unexpected(api.error());
        }
        bankapi::Title title = title_of(c, r);
        if (r.attempts > 0 || !r.bank_id.empty()) {
            // An earlier request may have arrived: its id, or billrun's seu número, finds it.
            auto found = (*api)->find(title);
            if (!found) {
                return unsure(c, found.error());
            }
            if (*found) {
                return conclude(*account, c, r, title, **found, "found by lookup");
            }
            if (!r.bank_id.empty()) {
                return down(c, fmt::format("the bank accepted request {} but does not find it", r.bank_id));
            }
        }
        if (auto counted = write([&] { return ledger::count_bank_request_attempt(m_ledger, m_run, r.invoice); });
            !counted) {
            return counted;
        }
        auto answer = (*api)->register_title(title);
        if (!answer) {
            return unsure(c, answer.error());
        }
        switch (answer->outcome) {
        case bankapi::RegisterOutcome::registered:
        case bankapi::RegisterOutcome::pending:
            return conclude(*account, c, r, title, answer->remote, "registered");
        case bankapi::RegisterOutcome::rejected:
            return set_aside(c, "rejected", fmt::format("the bank refused the boleto: {}", answer->message));
        case bankapi::RegisterOutcome::already_registered:
        case bankapi::RegisterOutcome::unknown:
            break;
        }
        auto found = (*api)->find(title);
        if (!found) {
            return unsure(c, found.error());
        }
        if (*found) {
            return conclude(*account, c, r, title, **found,
                            fmt::format("no answer ({}): found by lookup", answer->message));
        }
        return down(c, fmt::format("{}; not found by lookup", answer->message));
    }

    Result<void> unsure(const ledger::BoletoCandidate& c, const Error& error)
    {
        if (error.code != ErrorCode::unavailable && error.code != ErrorCode::data_invalid) {
            return tl::unexpected(error);
        }
        return down(c, error.message);
    }

    bankapi::Title title_of(const ledger::BoletoCandidate& c, const ledger::BankRequest& r) const
    {
        bankapi::Title t;
        t.seu_numero = c.invoice_id;
        t.issue_date = r.issue_date;
        t.due_date = c.due_date;
        t.amount = c.amount;
        t.fine_percent = m_config.boleto.fine_percent;
        t.interest_per_day = interest_per_day(c.amount, m_config.boleto.interest_percent_month);
        t.bank_id = r.bank_id;
        const auto& p = c.payer;
        t.payer = bankapi::Payer{p.name, p.tax_id, p.email, ledger::street_line(p), p.district, p.city, p.state, p.zip};
        return t;
    }

    // The bank answered with the cobrança: keep its request id; once numbered, check its
    // barcode against billrun's own computation from the bank's nosso número, then write the boleto.
    Result<void> conclude(const config::BankAccount& account, const ledger::BoletoCandidate& c,
                          const ledger::BankRequest& r, const bankapi::Title& title, const bankapi::Remote& remote,
                          const std::string& how)
    {
        if (!remote.bank_id.empty() && remote.bank_id != r.bank_id) {
            if (auto kept = write([&] { return ledger::set_bank_request_id(m_ledger, m_run, c.invoice, remote.bank_id); });
                !kept) {
                return kept;
            }
        }
        if (remote.barcode.empty() || remote.nosso_numero.empty()) {
            m_ctx.warn(fmt::format("invoice {}: the bank is still issuing its boleto (request {}, {}); the next run "
                                   "asks for it",
                                   c.invoice_id, remote.bank_id, remote.state.empty() ? "no number yet" : remote.state));
            return {};
        }
        const Bank& bank = *find_bank(account.bank);
        std::string digits = remote.nosso_numero;
        if (digits.size() < 11) {
            digits.insert(0, 11 - digits.size(), '0');
        }
        NossoNumero nosso{digits.substr(0, 10), digits.substr(10), digits.substr(0, 10) + "-" + digits.substr(10)};
        Beneficiary who{account.bank, account.agency, account.agency_digit, account.account, account.account_digit,
                        account.convenio, account.carteira};
        auto campo = digits.size() == 11 ? bank.campo_livre(who, nosso) : Result<std::string>(tl::unexpected(Error{}));
        auto barcode = campo ? make_barcode(bank.code, c.due_date, c.amount, *campo) : campo;
        if (!barcode || remote.barcode != *barcode || remote.linha_digitavel != linha_digitavel(*barcode)) {
            return set_aside(c, "mismatch",
                             fmt::format("the bank's boleto differs from billrun's computation from its nosso número "
                                         "{}: barcode {} (billrun {}), linha digitável {}",
                                         remote.nosso_numero, remote.barcode, barcode ? *barcode : "(none)",
                                         remote.linha_digitavel.empty() ? "(none)" : remote.linha_digitavel));
        }
        ledger::Boleto b;
        b.invoice = c.invoice;
        b.invoice_id = c.invoice_id;
        b.account = account.id;
        b.bank = account.bank;
        b.sequence = std::stoll(digits);
        b.nosso_numero = nosso.number;
        b.nosso_numero_dv = nosso.dv;
        b.nosso_numero_display = nosso.display;
        b.issue_date = r.issue_date;
        b.due_date = c.due_date;
        b.amount = c.amount;
        b.fine_percent = title.fine_percent;
        b.interest_per_day = title.interest_per_day;
        b.barcode = *barcode;
        b.linha_digitavel = remote.linha_digitavel;
        ++m_out.registered;
        return write([&]() -> Result<void> {
            auto key = ledger::insert_boleto(m_ledger, m_run, b);
            if (!key) {
                return tl::unexpected(key.error());
            }
            if (!*key) {
                return {};  // another run wrote it meanwhile
            }
            if (auto x = ledger::insert_registration(m_ledger, m_run, **key, account.id, account.api->provider); !x) {
                return x;
            }
            if (auto x = ledger::mark_registered(m_ledger, m_run, **key, remote.bank_id, how); !x) {
                return x;
            }
            if (auto x = ledger::mark_bank_request_issued(m_ledger, m_run, c.invoice, **key); !x) {
                return x;
            }
            auto queued = ledger::queue_delivery(m_ledger, m_run, c.invoice, "boleto");
            return queued ? Result<void>() : tl::unexpected(queued.error());
        });
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

Result<OnlineOutcome> register_bank_numbered(ledger::Ledger& ledger, const config::Config& config,
                                             const RunContext& ctx, std::int64_t run)
{
    NumberedRegistrar registrar(ledger, config, ctx, run);
    return registrar.run();
}

}  // namespace billrun::boleto
