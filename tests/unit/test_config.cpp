#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/config/yaml.hpp>

namespace fs = std::filesystem;
using namespace billrun;
using namespace billrun::config;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "billrun-config-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        m_path = pattern;
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return m_path; }

    fs::path write(const std::string& relative, const std::string& contents) const
    {
        const fs::path file = m_path / relative;
        fs::create_directories(file.parent_path());
        std::ofstream out(file, std::ios::binary);
        out << contents;
        out.close();
        REQUIRE(out.good());
        return file;
    }

    void write_templates() const
    {
        for (const auto& [relative, contents] : init_template_files()) {
            write(relative, contents);
        }
    }

    // billrun.yaml with `text`, next to the default template files.
    fs::path config(const std::string& text) const
    {
        write_templates();
        return write("billrun.yaml", text);
    }

private:
    fs::path m_path;
};

// What default_config() becomes once loaded from `file`: paths resolved against its folder.
Config defaults_loaded_from(const fs::path& file)
{
    Config config = default_config();
    config.file = file;
    config.dir = file.parent_path();
    const auto resolve = [&](fs::path& path) {
        if (!path.empty()) {
            path = config.dir / path;
        }
    };
    resolve(config.nfse.certificate);
    resolve(config.mail.outbox);
    resolve(config.output_dir);
    for (auto& entry : config.templates) {
        resolve(entry.second.body);
    }
    return config;
}

std::string load_error(const fs::path& file)
{
    const Result<Config> loaded = load_config(file);
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.error().code == ErrorCode::config);
    return loaded.error().message;
}

// The error load_all_yaml throws for `text`.
YAML::ParserException load_all_error(const std::string& text)
{
    try {
        load_all_yaml(text);
    } catch (const YAML::ParserException& e) {
        return e;
    }
    FAIL("no exception for " << text);
    return YAML::ParserException(YAML::Mark(), "");
}

std::size_t count_lines(const std::string& text)
{
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

}  // namespace

TEST_CASE("default_config has every default of SPEC 2a", "[config]")
{
    const Config config = default_config();

    CHECK(config.file.empty());
    CHECK(config.company.name == "Empresa Exemplo Ltda");
    CHECK(config.company.tax_id == "12345678000195");
    CHECK(config.company.city_code == "3550308");
    CHECK(config.company.tax_regime == "simples");
    CHECK(config.company.timezone == "America/Sao_Paulo");

    CHECK(config.invoicing.default_series == "A");
    CHECK_FALSE(config.invoicing.approval_required);
    CHECK_FALSE(config.invoicing.proration_daily);
    CHECK(config.invoicing.iss_rate == 200);
    CHECK(config.invoicing.withholding.pis == 65);
    CHECK(config.invoicing.withholding.cofins == 300);
    CHECK(config.invoicing.withholding.csll == 100);
    CHECK(config.invoicing.withholding.irrf == 150);
    CHECK(config.invoicing.withholding.inss == 0);
    CHECK(config.invoicing.withholding.minimum == 1000);

    CHECK(config.nfse.standard == "nacional");
    CHECK(config.nfse.environment == "test");
    CHECK(config.nfse.endpoint.empty());
    CHECK(config.nfse.certificate == "certs/a1.pfx");
    CHECK(config.nfse.password_env == "BILLRUN_CERT_PASSWORD");
    CHECK(config.nfse.signature == "rsa-sha1");
    CHECK(config.nfse.dps_series == "1");
    CHECK(config.nfse.timeout_seconds == 60);
    CHECK(config.nfse.retries == 3);

    CHECK(config.boleto.default_account == "main");
    CHECK(config.boleto.fine_percent == 200);
    CHECK(config.boleto.interest_percent_month == 100);
    CHECK(config.boleto.instructions == std::vector<std::string>{"Não receber após 60 dias do vencimento"});
    REQUIRE(config.boleto.accounts.size() == 1);
    const BankAccount* main_account = config.boleto.find_account("main");
    REQUIRE(main_account != nullptr);
    CHECK(config.boleto.find_account("other") == nullptr);
    CHECK(main_account->bank == "001");
    CHECK(main_account->agency == "1234");
    CHECK(main_account->agency_digit == "5");
    CHECK(main_account->account == "123456");
    CHECK(main_account->account_digit == "7");
    CHECK(main_account->convenio == "1234567");
    CHECK(main_account->carteira == "17");
    CHECK(main_account->remessa == "cnab240");
    CHECK(main_account->next_nosso_numero == 1);
    CHECK(main_account->pix_key.empty());
    CHECK(main_account->registration == "remessa");
    REQUIRE(main_account->api.has_value());
    CHECK(main_account->api->provider == "bb-cobranca-v2");
    CHECK(main_account->api->environment == "sandbox");
    CHECK(main_account->api->timeout_seconds == 30);
    CHECK(main_account->api->client_id_env == "BB_CLIENT_ID");
    CHECK(main_account->api->client_secret_env == "BB_CLIENT_SECRET");
    CHECK(main_account->api->app_key_env == "BB_APP_KEY");

    REQUIRE(config.dunning.size() == 4);
    CHECK(config.dunning[0] == DunningStep{-3, "reminder", "email", "before-due"});
    CHECK(config.dunning[1] == DunningStep{1, "reminder", "email", "overdue"});
    CHECK(config.dunning[2] == DunningStep{15, "final-notice", "letter", "final-notice"});
    CHECK(config.dunning[3] == DunningStep{45, "collection", "none", ""});

    REQUIRE(config.templates.size() == 3);
    CHECK(config.templates.at("before-due").subject == "Fatura {invoice} vence em {due_date}");
    CHECK(config.templates.at("before-due").body == "templates/before-due.txt");
    CHECK(config.templates.at("overdue").subject == "Fatura {invoice} em atraso");
    CHECK(config.templates.at("overdue").body == "templates/overdue.txt");
    CHECK(config.templates.at("final-notice").subject == "Último aviso: fatura {invoice}");
    CHECK(config.templates.at("final-notice").body == "templates/final-notice.txt");

    CHECK(config.mail.smtp_url.empty());
    CHECK(config.mail.from == "Cobrança <cobranca@example.com.br>");
    CHECK(config.mail.outbox == "out/outbox");
    CHECK(config.reconcile_csv.date == "data");
    CHECK(config.reconcile_csv.amount == "valor");
    CHECK(config.reconcile_csv.description == "historico");
    CHECK(config.reconcile_csv.tax_id == "documento");
    CHECK(config.reconcile_csv.date_format == "%d/%m/%Y");
    CHECK(config.reconcile_csv.decimal == ",");
    CHECK(config.output_dir == "out");
}

TEST_CASE("init_config_text loads back as default_config", "[config]")
{
    TempDir dir;
    const fs::path file = dir.config(init_config_text());

    const Result<Config> loaded = load_config(file);
    INFO((loaded ? std::string() : loaded.error().message));
    REQUIRE(loaded.has_value());
    const Config expected = defaults_loaded_from(file);
    CHECK(loaded->company == expected.company);
    CHECK(loaded->invoicing == expected.invoicing);
    CHECK(loaded->nfse == expected.nfse);
    CHECK(loaded->boleto == expected.boleto);
    CHECK(loaded->dunning == expected.dunning);
    CHECK(loaded->mail == expected.mail);
    CHECK(loaded->templates == expected.templates);
    CHECK(loaded->reconcile_csv == expected.reconcile_csv);
    CHECK(loaded->output_dir == dir.path() / "out");
    CHECK(*loaded == expected);

    SECTION("every key carries a comment")
    {
        std::istringstream lines(init_config_text());
        std::string line;
        while (std::getline(lines, line)) {
            const bool is_key = std::regex_search(line, std::regex(R"(^\s*[a-z_]+:)"));
            if (is_key && line.find(": {") == std::string::npos && line.find("csv:") == std::string::npos) {
                INFO(line);
                CHECK(line.find(" # ") != std::string::npos);
            }
        }
    }
}

TEST_CASE("init_template_files are the bodies the defaults name", "[config]")
{
    const std::set<std::string> allowed{"company_name", "customer_name", "invoice",  "issue_date",
                                        "due_date",     "amount",        "amount_due", "fine",
                                        "interest",     "days_overdue",  "linha_digitavel", "pix",
                                        "nfse_number"};
    std::set<std::string> paths;
    for (const auto& [relative, contents] : init_template_files()) {
        paths.insert(relative);
        INFO(relative);
        CHECK_THAT(contents, Contains("{customer_name}"));
        CHECK_THAT(contents, Contains("{invoice}"));
        CHECK_THAT(contents, Contains("{company_name}"));
        const std::regex placeholder(R"(\{([^{}]*)\})");
        const auto end = std::sregex_iterator();
        for (auto it = std::sregex_iterator(contents.begin(), contents.end(), placeholder); it != end; ++it) {
            CHECK(allowed.count((*it)[1].str()) == 1);
        }
    }
    std::set<std::string> named;
    for (const auto& entry : default_config().templates) {
        named.insert(entry.second.body.string());
    }
    CHECK(paths == named);
}

TEST_CASE("load_config applies defaults and normalises values", "[config]")
{
    TempDir dir;

    SECTION("keys left out take defaults")
    {
        const fs::path file = dir.config("company:\n  name: Outra Ltda\n");
        const Result<Config> loaded = load_config(file);
        REQUIRE(loaded.has_value());
        Config expected = defaults_loaded_from(file);
        expected.company.name = "Outra Ltda";
        CHECK(*loaded == expected);
    }
    SECTION("tax ids are stored normalised, CPF and alphanumeric CNPJ included")
    {
        const fs::path file = dir.config("company:\n  tax_id: 12.ABC.345/01DE-35\n");
        const Result<Config> loaded = load_config(file);
        INFO((loaded ? std::string() : loaded.error().message));
        REQUIRE(loaded.has_value());
        CHECK(loaded->company.tax_id == "12ABC34501DE35");

        const fs::path cpf = dir.config("company:\n  tax_id: 123.456.789-09\n");
        REQUIRE(load_config(cpf).has_value());
        CHECK(load_config(cpf)->company.tax_id == "12345678909");
    }
    SECTION("percentages as quoted strings or bare numbers")
    {
        const fs::path file = dir.config("invoicing:\n  iss_rate: 5\n  withholding: {pis: 0.65, cofins: \"3\"}\n");
        const Result<Config> loaded = load_config(file);
        REQUIRE(loaded.has_value());
        CHECK(loaded->invoicing.iss_rate == 500);
        CHECK(loaded->invoicing.withholding.pis == 65);
        CHECK(loaded->invoicing.withholding.cofins == 300);
        CHECK(loaded->invoicing.withholding.csll == 100);
    }
    SECTION("enums, lists and an api account")
    {
        const fs::path file = dir.config(R"(invoicing: {approval: required, proration: daily}
boleto:
  default_account: coop
  instructions: ["Linha 1", "Linha 2"]
  accounts:
    - {id: coop, bank: "756", agency: "3069", account: "12345", registration: api,
       api: {provider: sicoob-cobranca-v3, environment: production, certificate: certs/sicoob.pfx}}
dunning:
  steps: [{offset: 5, action: reminder, channel: email, template: overdue}]
)");
        const Result<Config> loaded = load_config(file);
        INFO((loaded ? std::string() : loaded.error().message));
        REQUIRE(loaded.has_value());
        CHECK(loaded->invoicing.approval_required);
        CHECK(loaded->invoicing.proration_daily);
        CHECK(loaded->boleto.instructions == std::vector<std::string>{"Linha 1", "Linha 2"});
        REQUIRE(loaded->boleto.accounts.size() == 1);
        const BankAccount& account = loaded->boleto.accounts[0];
        CHECK(account.registration == "api");
        REQUIRE(account.api.has_value());
        CHECK(account.api->provider == "sicoob-cobranca-v3");
        CHECK(account.api->timeout_seconds == 30);
        CHECK(account.api->certificate == dir.path() / "certs/sicoob.pfx");
        CHECK(loaded->dunning == std::vector<DunningStep>{{5, "reminder", "email", "overdue"}});
    }
    SECTION("a config file in the current folder keeps relative paths")
    {
        const fs::path cwd = fs::current_path();
        fs::current_path(dir.path());
        dir.config("output: {dir: artefatos}\n");
        const Result<Config> loaded = load_config("billrun.yaml");
        fs::current_path(cwd);
        REQUIRE(loaded.has_value());
        CHECK(loaded->output_dir == "artefatos");
        CHECK(loaded->templates.at("overdue").body == "templates/overdue.txt");
    }
}

TEST_CASE("load_config reports problems with file, line and column", "[config]")
{
    TempDir dir;
    const std::string name = (dir.path() / "billrun.yaml").string();

    SECTION("unknown key names the key, its line and a suggestion")
    {
        const fs::path file =
            dir.config("company:\n  name: X Ltda\ninvoicing:\n  default_series: B\n  aproval: none\n");
        CHECK(load_error(file) == name + ":5:3: unknown key 'invoicing.aproval' (did you mean 'approval'?)");
    }
    SECTION("unknown top-level section")
    {
        const std::string message = load_error(dir.config("boletos:\n  fine_percent: \"2.00\"\n"));
        CHECK_THAT(message, StartsWith(name + ":1:1: unknown key 'boletos' (did you mean 'boleto'?)"));
    }
    SECTION("bad enum value")
    {
        const std::string message = load_error(dir.config("company:\n  tax_regime: simple\n"));
        CHECK_THAT(message, StartsWith(name + ":2:15: company.tax_regime: 'simple' is not one of simples | mei | "
                                              "lucro-presumido | lucro-real (did you mean 'simples'?)"));
    }
    SECTION("bad money and percentages")
    {
        const std::string message =
            load_error(dir.config("invoicing:\n  iss_rate: 2.5.0\n  withholding:\n    minimum: dez reais\n"));
        CHECK_THAT(message, Contains(name + ":2:13: invoicing.iss_rate: '2.5.0' is not a percentage"));
        CHECK_THAT(message, Contains(name + ":4:14: invoicing.withholding.minimum: 'dez reais' is not an amount"));
        CHECK(count_lines(message) == 2);
    }
    SECTION("bad CNPJ")
    {
        const std::string message = load_error(dir.config("company:\n  tax_id: 12.345.678/0001-96\n"));
        CHECK_THAT(message,
                   StartsWith(name + ":2:11: company.tax_id: '12.345.678/0001-96' is not a valid CNPJ or CPF"));
    }
    SECTION("digits, integers and URLs")
    {
        const std::string message = load_error(dir.config(
            "company: {city_code: \"355030\"}\nnfse: {retries: -1, timeout_seconds: 1.5, endpoint: ftp://x}\n"));
        CHECK_THAT(message, Contains("company.city_code: '355030' must be 7 digits"));
        CHECK_THAT(message, Contains("nfse.retries: must be 0 or more, not -1"));
        CHECK_THAT(message, Contains("nfse.timeout_seconds: '1.5' is not a whole number"));
        CHECK_THAT(message, Contains("nfse.endpoint: 'ftp://x' is not a https://, http:// URL"));
    }
    SECTION("template body file missing")
    {
        const std::string message = load_error(dir.config(
            "templates:\n  overdue: {subject: Atraso, body: templates/atraso.txt}\n"
            "dunning:\n  steps: [{offset: 1, action: reminder, channel: email, template: overdue}]\n"));
        CHECK(message == name + ":2:36: templates.overdue.body: template file '" +
                             (dir.path() / "templates/atraso.txt").string() +
                             "' not found (`billrun init` writes the default ones)");
    }
    SECTION("default template files missing")
    {
        const fs::path file = dir.write("billrun.yaml", "company: {name: X}\n");
        const std::string message = load_error(file);
        CHECK(count_lines(message) == 3);
        CHECK_THAT(message, Contains(name + ": templates.overdue.body (default): template file"));
    }
    SECTION("dunning step naming an unknown template")
    {
        const std::string message = load_error(dir.config(
            "dunning:\n  steps:\n    - {offset: 1, action: reminder, channel: email, template: overdo}\n"));
        CHECK(message == name + ":3:63: dunning.steps[0].template: no template named 'overdo' under templates "
                                "(did you mean 'overdue'?)");
    }
    SECTION("dunning step with a channel but no template, and a step missing keys")
    {
        const std::string message = load_error(dir.config(
            "dunning:\n  steps:\n    - {offset: 1, action: reminder, channel: email}\n    - {action: collection}\n"));
        CHECK_THAT(message, Contains(name + ":3:7: dunning.steps[0]: channel 'email' needs a template"));
        CHECK_THAT(message, Contains(name + ":4:7: dunning.steps[1]: missing key 'offset'"));
        CHECK_THAT(message, Contains(name + ":4:7: dunning.steps[1]: missing key 'channel'"));
    }
    SECTION("accounts: unique ids, default account, api block")
    {
        const std::string message = load_error(dir.config(R"(boleto:
  default_account: principal
  accounts:
    - {id: main, bank: "001"}
    - {id: main, bank: "1"}
    - {id: inter, bank: "077", registration: api}
    - {id: bb, bank: "756", registration: api, api: {provider: bb-cobranca-v2}}
)"));
        CHECK_THAT(message, Contains(name + ":2:20: boleto.default_account: no account has id 'principal'"));
        CHECK_THAT(message,
                   Contains(name + ":5:7: boleto.accounts[1]: account id 'main' is used twice (first at line 4)"));
        CHECK_THAT(message, Contains(name + ":5:24: boleto.accounts[1].bank: '1' must be 3 digits"));
        CHECK_THAT(message, Contains(name + ":6:46: boleto.accounts[2].registration: 'api' needs an 'api:' block"));
        CHECK_THAT(message, Contains(name + ":7:22: boleto.accounts[3].bank: the account's bank is '756', but api "
                                            "provider 'bb-cobranca-v2' is Banco do Brasil (bank 001)"));
    }
    SECTION("secrets are refused anywhere")
    {
        const std::string message = load_error(dir.config(
            "nfse:\n  password: hunter2\nmail:\n  password: x\nfoo:\n  token: abc\n"));
        CHECK_THAT(message, Contains(name + ":2:3: 'nfse.password': secrets never live in billrun.yaml; put the "
                                            "value in an environment variable and give that variable's name in "
                                            "'password_env'"));
        CHECK_THAT(message, Contains(name + ":4:3: 'mail.password': secrets never live"));
        CHECK_THAT(message, Contains(name + ":6:3: 'foo.token': secrets never live"));
        CHECK_THAT(message, Contains(name + ":5:1: unknown key 'foo'"));
    }
    SECTION("a pasted secret in an *_env key")
    {
        const std::string message = load_error(dir.config("nfse:\n  password_env: \"s3cr3t!\"\n"));
        CHECK_THAT(message, StartsWith(name + ":2:17: nfse.password_env: is not an environment variable name"));
    }
    SECTION("wrong shapes")
    {
        const std::string message = load_error(dir.config(
            "company: Empresa\nboleto:\n  instructions: Não receber\n  fine_percent: [2]\n"));
        CHECK_THAT(message, Contains(name + ":1:10: company: expected a mapping"));
        CHECK_THAT(message, Contains(name + ":3:17: boleto.instructions: expected a list of texts"));
        CHECK_THAT(message, Contains(name + ":4:17: boleto.fine_percent: expected a single value, not a list"));
    }
    SECTION("duplicate keys")
    {
        const std::string message = load_error(dir.config("company:\n  name: A\n  name: B\n"));
        CHECK(message == name + ":3:3: duplicate key 'company.name' (first at line 2)");
    }
    SECTION("all problems are collected, in file order")
    {
        const std::string message = load_error(dir.config(
            "company:\n  tax_regime: lucro\n  tax_id: \"123\"\ninvoicing:\n  aproval: none\n"
            "dunning:\n  steps: [{offset: 1, action: remind, channel: email, template: before-due}]\n"));
        REQUIRE(count_lines(message) == 4);
        std::istringstream lines(message);
        std::string line;
        std::vector<std::string> got;
        while (std::getline(lines, line)) {
            got.push_back(line);
        }
        CHECK_THAT(got[0], StartsWith(name + ":2:15: company.tax_regime:"));
        CHECK_THAT(got[1], StartsWith(name + ":3:11: company.tax_id:"));
        CHECK_THAT(got[2], StartsWith(name + ":5:3: unknown key 'invoicing.aproval'"));
        CHECK_THAT(got[3], StartsWith(name + ":7:31: dunning.steps[0].action: 'remind' is not one of"));
    }
    SECTION("YAML syntax error")
    {
        const std::string message = load_error(dir.config("company:\n  name: [Empresa\ninvoicing: {}\n"));
        CHECK_THAT(message, StartsWith(name + ":"));
        CHECK(std::regex_search(message, std::regex(R"(billrun\.yaml:\d+:\d+: )")));
    }
    SECTION("empty file and a top that is not a mapping")
    {
        CHECK_THAT(load_error(dir.config("")), Contains("the configuration is empty; run 'billrun init'"));
        CHECK_THAT(load_error(dir.config("# only comments\n")), Contains("the configuration is empty"));
        CHECK_THAT(load_error(dir.config("- company\n")), StartsWith(name + ":1:1: expected a mapping of sections"));
    }
}

TEST_CASE("load_all_yaml", "[config]")
{
    SECTION("documents as YAML::LoadAll gives them")
    {
        auto docs = load_all_yaml("a: 1\n---\n- x\n---\n");
        REQUIRE(docs.size() == 3);
        CHECK(docs[0]["a"].as<int>() == 1);
        CHECK(docs[1][0].as<std::string>() == "x");
        CHECK(docs[2].IsNull());
        CHECK(load_all_yaml("").empty());
    }
    SECTION("a stray ',' is an error at its place, not an endless loop (found by fuzz_import_yaml)")
    {
        for (const auto& [text, line, column] : {std::tuple{",", 0, 0}, std::tuple{"{a: b}\n,\n", 1, 0},
                                                 std::tuple{"- {id: S2}\n,50'}\n", 1, 0}}) {
            const auto e = load_all_error(text);
            CHECK(e.mark.line == line);
            CHECK(e.mark.column == column);
            CHECK_THAT(e.msg, StartsWith("unexpected ','"));
        }
    }
    SECTION("a NUL byte, invalid UTF-8, deep nesting are errors at their place; UTF-16 is decoded")
    {
        for (const auto& [text, line, column, message] :
             {std::tuple{std::string("a: 1\nb: x\0y\n", 11), 1, 4, "binary data (a NUL byte): not a YAML text file"},
              std::tuple{std::string("name: Jos\xE9\n"), 0, 9, "invalid UTF-8 byte 0xE9 (save the file as UTF-8)"},
              std::tuple{std::string("a: \xC3\xA9\nb: \xC3\x28\n"), 1, 3,
                         "invalid UTF-8 byte 0xC3 (save the file as UTF-8)"}}) {
            const auto e = load_all_error(text);
            CHECK(e.mark.line == line);
            CHECK(e.mark.column == column);
            CHECK(e.msg == message);
        }
        CHECK_THAT(load_all_error(std::string(100000, '[')).msg, StartsWith("nested deeper than "));
        auto docs = load_all_yaml(std::string("\xFF\xFE" "a\0:\0 \0\xE9\0\n\0", 12));
        REQUIRE(docs.size() == 1);
        CHECK(docs[0]["a"].as<std::string>() == "\xC3\xA9");
    }
}

TEST_CASE("load_config of a stray ',' names the place", "[config]")
{
    TempDir dir;
    const std::string name = (dir.path() / "billrun.yaml").string();
    CHECK_THAT(load_error(dir.config("{company: {name: X}}\n,\n")), StartsWith(name + ":2:1: unexpected ','"));
}

TEST_CASE("load_config on a missing file says to run billrun init", "[config]")
{
    TempDir dir;
    const fs::path file = dir.path() / "billrun.yaml";
    CHECK(load_error(file) ==
          file.string() + ": cannot read (No such file or directory); run 'billrun init' to create one");
    CHECK_THAT(load_error(dir.path()), Contains("cannot read (it is a directory)"));
}
