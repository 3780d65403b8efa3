#pragma once
// Boletos through banks' REST APIs (SPEC §6a): one adapter per provider (register, query,
// write off, list paid), all over one Session (OAuth2 client credentials with the token kept
// in the ledger, libcurl HTTPS with bounded timeouts, 429/5xx waited out). A provider is one
// file under providers/ and one line in the table of providers.cpp.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::bankapi {

struct Payer {
    std::string name, tax_id, email;
    std::string address;  // street, number and complement on one line
    std::string district, city, state, zip;
};

// A boleto as billrun numbered it; the bank must agree on its barcode and linha digitável.
struct Title {
    std::string seu_numero;    // the invoice id
    std::string nosso_numero;  // billrun's, bank width, without DV
    Date issue_date;
    Date due_date;
    Centavos amount = 0;
    Rate fine_percent = 0;        // multa after the due date
    Centavos interest_per_day = 0;
    Payer payer;
    std::string bank_id;  // the bank's id of an earlier request, when known (Inter's codigoSolicitacao)
};

// What the bank says a boleto is.
struct Remote {
    std::string bank_id;          // the bank's identity (BB numeroTituloCliente)
    std::string barcode;          // 44 digits, as the bank sent it
    std::string linha_digitavel;  // 47 digits, punctuation removed
    std::string state;            // the bank's state, as it says it ("1", "6", "A_RECEBER"...)
    bool paid = false;
    bool written_off = false;
    Centavos paid_amount = 0;
    std::optional<Date> paid_on;
    std::optional<Date> credit_date;
    std::string nosso_numero;     // the bank's own, for banks that choose it (Inter); else empty
};

enum class RegisterOutcome {
    registered,          // created now: `remote` holds the bank's answer
    already_registered,  // the bank says it has this number: look it up
    rejected,            // a definite no: `message` says why
    unknown,             // sent, no usable answer (timeout, 5xx, lost connection): look it up
    pending,             // accepted, still being issued (Inter v3): `remote.bank_id` names the request; find() later
};

struct RegisterAnswer {
    RegisterOutcome outcome = RegisterOutcome::unknown;
    Remote remote;
    std::string message;
};

// A boleto the bank lists as paid.
struct PaidTitle {
    std::string bank_id;
    std::string nosso_numero;  // bank width, as billrun stores it
    Centavos amount = 0;       // what was paid
    Centavos interest = 0;
    Centavos fine = 0;
    Centavos fee = 0;
    Date paid_on;
    std::optional<Date> credit_date;
    std::string state;
};

struct PaidPage {
    std::vector<PaidTitle> titles;
    std::string next;  // the cursor of the next page; empty on the last
};

// A payment a bank's webhook announced. Only a hint: reconcile --webhook asks the bank
// (Adapter::query) before anything is applied.
struct WebhookHint {
    std::string place;               // where in the payload ("item 2"), for messages
    std::string convenio;            // the account as the payload names it (BB numeroConvenio); may be empty
    std::string nosso_numero;        // bank width, as billrun stores it
    std::optional<Centavos> amount;  // what the payload says was paid
    std::optional<Date> paid_on;
    bool undone = false;             // the event takes a payment back (BB: baixa operacional cancelled)
};

class Adapter {
public:
    virtual ~Adapter() = default;
    // Sends the registration once (429 and requests that never left are retried; a 5xx or a
    // lost answer is not: RegisterOutcome::unknown). Errors: unavailable (nothing was sent,
    // or the token could not be had), config (credentials refused).
    virtual Result<RegisterAnswer> register_title(const Title& title) = 0;
    // `key` names a registered boleto as the bank knows it: billrun's nosso número, or for a
    // bank that numbers boletos itself (numbers_itself) the bank's id of it (Remote::bank_id,
    // kept with the registration).
    // The boleto by its key; nullopt when the bank does not know it.
    // Errors: unavailable, data_invalid (an answer that cannot be read).
    virtual Result<std::optional<Remote>> query(std::string_view key) = 0;
    // Baixa. Errors: unavailable, data_invalid (the bank refused: the message says why).
    virtual Result<void> write_off(std::string_view key) = 0;
    // Boletos paid from `from` to `to`, one page; `cursor` empty for the first.
    virtual Result<PaidPage> list_paid(Date from, Date to, std::string_view cursor) = 0;
    // True when the bank chooses the nosso número, and so the barcode, itself (Inter v3).
    virtual bool numbers_itself() const { return false; }
    // The boleto by billrun's own identity: its nosso número, or for banks that number it the
    // request's id (title.bank_id) or else the seu número. A boleto still being issued comes
    // back with an empty barcode. Errors: as query().
    virtual Result<std::optional<Remote>> find(const Title& title) { return query(title.nosso_numero); }
};

// How a run talks to a bank: the ledger (tokens), the run (events), the clock and secrets.
struct Circumstances {
    ledger::Ledger& ledger;
    const RunContext& ctx;
    std::int64_t run = 0;
};

// The adapter of an account with `registration: api`. Errors: config (unknown provider,
// missing credentials, account fields the provider cannot use, unreadable CA or certificate).
Result<std::unique_ptr<Adapter>> open_adapter(const config::BankAccount& account, const Circumstances& where);

// The adapters of a run's accounts, each opened once (a token, a TLS session per account).
class AdapterCache {
public:
    AdapterCache(const config::Config& config, const Circumstances& where) : m_config(config), m_where(where) {}

    // Errors: those of open_adapter, the config file's name in front.
    Result<Adapter*> get(const config::BankAccount& account);

private:
    const config::Config& m_config;
    Circumstances m_where;
    std::map<std::string, std::unique_ptr<Adapter>> m_adapters;
};

// Makes sure of a token for the account (the one kept in the ledger, or a new one), before
// anything is numbered. Errors: config (credentials missing or refused), unavailable.
Result<void> authenticate(const config::BankAccount& account, const Circumstances& where);

// Checks an account's fields for its provider, before anything is issued. Errors: config.
Result<void> check_account(const config::BankAccount& account);
// The same, and the credentials: the environment variables set, the client certificate
// (api.certificate, its password from api.password_env) readable and opened. Errors: config.
Result<void> check_account(const config::BankAccount& account, const RunContext& ctx);

std::span<const std::string_view> provider_names();

// Whether the account's provider reads webhook payloads (parse_webhook).
bool has_webhooks(const config::BankAccount& account);

// The hints of a saved webhook payload (the body the bank sent) of the account's provider.
// Touches neither network nor ledger. Errors: data_invalid "place: message" (not JSON, not
// the provider's shape, an item without its boleto's number or with an unreadable amount or
// date), usage (a provider without webhooks).
Result<std::vector<WebhookHint>> parse_webhook(const config::BankAccount& account, std::string_view payload);

}  // namespace billrun::bankapi
