#pragma once
// billrun.yaml (SPEC §2a): loaded, validated with line numbers, defaults applied.
// Secrets never live here: only the names of environment variables that hold them.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>

namespace billrun::config {

struct Company {
    std::string name = "Empresa Exemplo Ltda";
    std::string tax_id = "12345678000195";  // normalised (no punctuation)
    std::string municipal_registration = "123456";
    std::string city_code = "3550308";
    std::string tax_regime = "simples";  // simples | mei | lucro-presumido | lucro-real
    std::string timezone = "America/Sao_Paulo";

    bool operator==(const Company&) const = default;
};

struct Withholding {
    Rate pis = 65;
    Rate cofins = 300;
    Rate csll = 100;
    Rate irrf = 150;
    Rate inss = 0;
    Centavos minimum = 1000;

    bool operator==(const Withholding&) const = default;
};

struct Invoicing {
    std::string default_series = "A";
    bool approval_required = false;  // approval: none | required
    bool proration_daily = false;    // proration: none | daily
    Rate iss_rate = 200;
    Withholding withholding;

    bool operator==(const Invoicing&) const = default;
};

struct Nfse {
    std::string standard = "nacional";  // nacional | abrasf
    std::string layout = "1.01";        // the national DPS layout: 1.01 | 1.00
    std::string environment = "test";   // test | production
    std::string endpoint;               // empty = offline
    std::filesystem::path certificate = "certs/a1.pfx";  // resolved against the config dir
    std::string password_env = "BILLRUN_CERT_PASSWORD";
    std::filesystem::path ca_bundle;
    std::string signature = "rsa-sha1";  // rsa-sha1 | rsa-sha256
    std::string dps_series = "1";
    int timeout_seconds = 60;
    int retries = 3;

    bool operator==(const Nfse&) const = default;
};

struct BankApi {
    std::string provider = "bb-cobranca-v2";  // bb-cobranca-v2 | sicoob-cobranca-v3 | inter-cobranca-v3
    std::string environment = "sandbox";      // sandbox | production
    std::string base_url;
    std::string token_url;
    int timeout_seconds = 30;
    int retries = 3;        // attempts after a 429, a 5xx or a connection that never reached the bank
    int backoff_ms = 500;   // the first wait between attempts (doubling, to 8 s); a Retry-After wins
    std::string client_id_env = "BB_CLIENT_ID";
    std::string client_secret_env = "BB_CLIENT_SECRET";
    std::string app_key_env = "BB_APP_KEY";
    std::string variacao_carteira = "35";  // BB: the carteira's variação (numeroVariacaoCarteira)
    std::filesystem::path certificate;
    std::string password_env;
    std::filesystem::path ca_bundle;

    bool operator==(const BankApi&) const = default;
};

struct BankAccount {
    std::string id = "main";
    std::string bank = "001";  // 3 digits
    std::string agency;
    std::string agency_digit;
    std::string account;
    std::string account_digit;
    std::string convenio;
    std::string carteira;
    std::string remessa = "cnab240";  // cnab240 | cnab400
    std::int64_t next_nosso_numero = 1;
    std::string pix_key;
    std::string registration = "remessa";  // remessa | api
    std::optional<BankApi> api;

    bool operator==(const BankAccount&) const = default;
};

struct Boleto {
    std::string default_account = "main";
    Rate fine_percent = 200;
    Rate interest_percent_month = 100;
    std::vector<std::string> instructions{"Não receber após 60 dias do vencimento"};
    std::vector<BankAccount> accounts;
    const BankAccount* find_account(const std::string& id) const;

    bool operator==(const Boleto&) const = default;
};

struct DunningStep {
    int offset = 0;
    std::string action;    // reminder | final-notice | collection
    std::string channel;   // email | letter | none
    std::string template_name;  // empty for channel none

    bool operator==(const DunningStep&) const = default;
};

struct Mail {
    std::string smtp_url;
    std::string username_env;
    std::string password_env;
    std::string from = "Cobrança <cobranca@example.com.br>";
    std::filesystem::path outbox = "out/outbox";
    std::filesystem::path ca_bundle;  // extra CA file for the SMTP server's chain

    bool operator==(const Mail&) const = default;
};

struct Template {
    std::string subject;
    std::filesystem::path body;  // resolved against the config dir

    bool operator==(const Template&) const = default;
};

struct CsvStatementMap {
    std::string date = "data";
    std::string amount = "valor";
    std::string description = "historico";
    std::string tax_id = "documento";
    std::string date_format = "%d/%m/%Y";
    std::string decimal = ",";

    bool operator==(const CsvStatementMap&) const = default;
};

struct Config {
    std::filesystem::path file;  // where it was loaded from (empty when defaults only)
    std::filesystem::path dir;   // relative paths resolve against this
    Company company;
    Invoicing invoicing;
    Nfse nfse;
    Boleto boleto;
    std::vector<DunningStep> dunning;
    Mail mail;
    std::map<std::string, Template> templates;
    CsvStatementMap reconcile_csv;
    std::filesystem::path output_dir = "out";

    bool operator==(const Config&) const = default;
};

// The configuration every key of which takes its documented default (the §2a example,
// including one bank account "main", the four dunning steps and the three templates).
Config default_config();

// Loads and validates a config file. Errors are ErrorCode::config with
// "FILE:LINE:COLUMN: message" naming the key: unknown keys, bad values (a CNPJ with wrong
// check digits, an unknown enum value, a money or percent that is not a decimal string),
// a dunning step naming a template that does not exist, a template body file missing.
// A missing file is ErrorCode::config too ("run 'billrun init'").
Result<Config> load_config(const std::filesystem::path& file);

// The commented billrun.yaml that `billrun init` writes: every key of §2a, each explained.
std::string init_config_text();
// The template files the init config names: relative path -> contents.
std::vector<std::pair<std::string, std::string>> init_template_files();

}  // namespace billrun::config
