#pragma once
// A bank API provider is data plus two functions: one file under providers/ defines it, one
// line in providers.cpp lists it.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/core/text.hpp>

#include "session.hpp"

namespace billrun::bankapi {

struct Endpoint {
    std::string base_url;   // no trailing slash
    std::string app_key;    // BB's gw-dev-app-key; empty for providers without one
};

struct Provider {
    std::string_view name;              // billrun.yaml api.provider
    std::string_view bank;              // COMPE code
    std::string_view sandbox_base_url;
    std::string_view production_base_url;
    std::string_view sandbox_token_url;
    std::string_view production_token_url;
    std::string_view scope;
    TokenAuth auth = TokenAuth::basic;
    bool app_key = false;               // needs api.app_key_env
    // What the provider needs of the account (convênio, carteira...). Errors: config.
    Result<void> (*check)(const config::BankAccount& account) = nullptr;
    std::unique_ptr<Adapter> (*make)(const config::BankAccount& account, std::unique_ptr<Session> session,
                                     Endpoint endpoint) = nullptr;
    // Reads a saved webhook payload (see bankapi::parse_webhook); nullptr: no webhooks.
    Result<std::vector<WebhookHint>> (*parse_webhook)(std::string_view payload) = nullptr;
    // Demands mutual TLS (api.certificate) in production, token call included.
    bool client_certificate = false;
};

const Provider* find_provider(std::string_view name);

// The bank's error list, whichever spelling it uses: {"erros":[{"codigo","mensagem"}]},
// {"errors":[{"code","message"}]}, {"mensagens":[{"codigo","mensagem"}]} (Sicoob),
// {"title","detail","violacoes":[{"razao","propriedade"}]} (Inter), or a lone message.
struct BankErrors {
    std::vector<std::pair<std::string, std::string>> items;  // code, message

    bool has(std::string_view code) const;
    std::string summary(long status) const;  // "HTTP 400; 4874915: Nosso Número já incluído"
};
BankErrors read_errors(std::string_view body);

// A registration's answer when the bank gave none to read (no answer, a 5xx): unknown, to be
// looked up; nullopt when there is an answer to read.
std::optional<RegisterAnswer> unsure_registration(const Reply& reply);
// A command's answer (a write-off): any 2xx is done; no answer or a 5xx is unavailable; anything
// else is data_invalid with the bank's errors after `what`.
Result<void> command_done(const Result<Reply>& reply, std::string_view what);

// A number for JSON: digits without leading zeros ("0" when all zeros).
std::string json_number(std::string_view digits);
// At most `n` characters (code points), line breaks made spaces (banks refuse them).
std::string clip(std::string_view text, std::size_t n);

// Date and money as the banks write them.
std::string dd_mm_yyyy(Date date, char separator = '.');
std::optional<Date> parse_bank_date(std::string_view text);  // dd.mm.yyyy, dd/mm/yyyy or ISO
std::optional<Centavos> parse_bank_money(std::string_view text);  // a JSON number: "1234.5"

}  // namespace billrun::bankapi
