// Loading billrun.yaml: parse with yaml-cpp, walk the tree against the keys of SPEC §2a and
// collect every problem as "file:line:col: message" before failing once.
//
// Rules worth knowing:
// - A key left out keeps its default (default_config()). A section given as an empty
//   value (`invoicing:`) keeps all its defaults.
// - Lists and the template table replace their defaults as a whole: writing
//   `boleto.accounts`, `dunning.steps` or `templates` means exactly what is written. A
//   template entry named like a default one (before-due, overdue, final-notice) takes that
//   default's subject and body for whatever it leaves out; any other entry needs a body.
// - Paths (nfse.certificate and ca_bundle, the api's certificate and ca_bundle, template
//   bodies, mail.outbox, output.dir) are stored resolved against the config file's folder
//   (Config::dir; `dir / path`, not made absolute): a relative path in the file means
//   relative to the file, wherever billrun runs. Empty paths stay empty.
#include <billrun/config/config.hpp>
#include <billrun/config/placeholders.hpp>
#include <billrun/config/yaml.hpp>

#include <cerrno>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "walker.hpp"

namespace billrun::config {

namespace fs = std::filesystem;

namespace {

using detail::did_you_mean;
using detail::Item;
using detail::join_path;
using detail::unplaced;
using detail::Walker;

struct ApiProvider {
    std::string_view name;
    std::string_view bank;
    std::string_view bank_name;
};

constexpr ApiProvider k_api_providers[] = {
    {"bb-cobranca-v2", "001", "Banco do Brasil"},
    {"sicoob-cobranca-v3", "756", "Sicoob"},
    {"inter-cobranca-v3", "077", "Banco Inter"},
};

class Loader : public Walker {
public:
    using Walker::Walker;

    void load(const YAML::Node& root, Config& config);
    void check_files(const Config& config);

private:
    void company(const Item& item, Company& out);
    void invoicing(const Item& item, Invoicing& out);
    void nfse(const Item& item, Nfse& out);
    void boleto(const Item& item, Boleto& out);
    void account(const Item& item, BankAccount& out);
    void bank_api(const Item& item, BankApi& out);
    void dunning(const Item& item, std::vector<DunningStep>& out);
    void mail(const Item& item, Mail& out);
    void templates(const Item& item, std::map<std::string, Template>& out);
    void check_dunning(const Config& config);

    std::vector<Item> m_step_items;           // dunning.steps[i], when written
    std::vector<Item> m_step_template_items;  // their `template` values (node null when absent)
    std::map<std::string, Item> m_body_items;  // templates.NAME.body, when written
};

void Loader::load(const YAML::Node& root, Config& config)
{
    const Item top{root, root.Mark(), ""};
    fields(top, {
        {"company", [&](const Item& item) { company(item, config.company); }},
        {"invoicing", [&](const Item& item) { invoicing(item, config.invoicing); }},
        {"nfse", [&](const Item& item) { nfse(item, config.nfse); }},
        {"boleto", [&](const Item& item) { boleto(item, config.boleto); }},
        {"dunning", [&](const Item& item) { dunning(item, config.dunning); }},
        {"mail", [&](const Item& item) { mail(item, config.mail); }},
        {"templates", [&](const Item& item) { templates(item, config.templates); }},
        {"reconcile", [&](const Item& item) {
             CsvStatementMap& csv = config.reconcile_csv;
             fields(item, {{"csv", [&](const Item& map) {
                                fields(map, {
                                    {"date", text(csv.date, true)},
                                    {"amount", text(csv.amount, true)},
                                    {"description", text(csv.description)},
                                    {"tax_id", text(csv.tax_id)},
                                    {"date_format", text(csv.date_format, true)},
                                    {"decimal", one_of(csv.decimal, {",", "."})},
                                });
                            }}});
         }},
        {"output", [&](const Item& item) { fields(item, {{"dir", path(config.output_dir, true)}}); }},
    });
    check_dunning(config);
}

void Loader::company(const Item& item, Company& out)
{
    fields(item, {
        {"name", text(out.name, true)},
        {"tax_id", tax_id(out.tax_id)},
        {"municipal_registration", text(out.municipal_registration)},
        {"city_code", digits(out.city_code, 7)},
        {"tax_regime", one_of(out.tax_regime, {"simples", "mei", "lucro-presumido", "lucro-real"})},
        {"timezone", text(out.timezone, true)},
    });
}

void Loader::invoicing(const Item& item, Invoicing& out)
{
    Withholding& withholding = out.withholding;
    fields(item, {
        {"default_series", text(out.default_series, true)},
        {"approval", flag(out.approval_required, "none", "required")},
        {"proration", flag(out.proration_daily, "none", "daily")},
        {"iss_rate", rate(out.iss_rate)},
        {"withholding", [&](const Item& map) {
             fields(map, {
                 {"pis", rate(withholding.pis)},
                 {"cofins", rate(withholding.cofins)},
                 {"csll", rate(withholding.csll)},
                 {"irrf", rate(withholding.irrf)},
                 {"inss", rate(withholding.inss)},
                 {"minimum", money(withholding.minimum)},
             });
         }},
    });
}

void Loader::nfse(const Item& item, Nfse& out)
{
    fields(item, {
        {"standard", one_of(out.standard, {"nacional", "abrasf"})},
        {"layout", one_of(out.layout, {"1.01", "1.00"})},
        {"environment", one_of(out.environment, {"test", "production"})},
        {"endpoint", url(out.endpoint, {"https", "http"})},
        {"certificate", path(out.certificate)},
        {"password_env", env_name(out.password_env)},
        {"ca_bundle", path(out.ca_bundle)},
        {"signature", one_of(out.signature, {"rsa-sha1", "rsa-sha256"})},
        {"dps_series", text(out.dps_series, true)},
        {"timeout_seconds", integer(out.timeout_seconds, 0)},
        {"retries", integer(out.retries, 0)},
    });
}

void Loader::boleto(const Item& item, Boleto& out)
{
    std::optional<Item> default_item;
    std::optional<Item> accounts_item;
    fields(item, {
        {"default_account", [&](const Item& value) {
             default_item = value;
             text(out.default_account, true)(value);
         }},
        {"fine_percent", rate(out.fine_percent)},
        {"interest_percent_month", rate(out.interest_percent_month)},
        {"instructions", strings(out.instructions)},
        {"accounts", [&](const Item& value) {
             accounts_item = value;
             out.accounts.clear();
             std::map<std::string, int> ids;  // id -> line
             list(value, [&](const Item& element) {
                 BankAccount parsed;
                 account(element, parsed);
                 const auto [first, inserted] = ids.emplace(parsed.id, element.mark().line + 1);
                 if (!inserted) {
                     error(element, fmt::format("account id '{}' is used twice (first at line {})", parsed.id,
                                                first->second));
                 }
                 out.accounts.push_back(std::move(parsed));
             });
         }},
    });
    if (!out.accounts.empty() && out.find_account(out.default_account) == nullptr) {
        std::vector<std::string_view> ids;
        for (const BankAccount& account : out.accounts) {
            ids.push_back(account.id);
        }
        const Item where = default_item ? *default_item
                           : accounts_item ? *accounts_item
                                           : unplaced("boleto.default_account");
        error(where.mark(),
              fmt::format("boleto.default_account: no account has id '{}'{} (accounts: {}){}", out.default_account,
                          default_item ? "" : ", the default", fmt::join(ids, ", "),
                          did_you_mean(out.default_account, ids)));
    }
}

void Loader::account(const Item& item, BankAccount& out)
{
    std::optional<Item> registration_item;
    std::optional<Item> bank_item;
    fields(item,
           {
               {"id", text(out.id, true)},
               {"bank", [&](const Item& value) {
                    bank_item = value;
                    digits(out.bank, 3)(value);
                }},
               {"agency", text(out.agency)},
               {"agency_digit", text(out.agency_digit)},
               {"account", text(out.account)},
               {"account_digit", text(out.account_digit)},
               {"convenio", text(out.convenio)},
               {"carteira", text(out.carteira)},
               {"remessa", one_of(out.remessa, {"cnab240", "cnab400"})},
               {"next_nosso_numero", integer<std::int64_t>(out.next_nosso_numero, 1)},
               {"pix_key", text(out.pix_key)},
               {"registration", [&](const Item& value) {
                    registration_item = value;
                    one_of(out.registration, {"remessa", "api"})(value);
                }},
               {"api", [&](const Item& value) {
                    if (value.node.IsNull()) {
                        return;  // an empty `api:` is as good as none
                    }
                    BankApi api;
                    bank_api(value, api);
                    out.api = api;
                }},
           },
           {"id"});
    if (out.registration != "api") {
        return;
    }
    const Item& where = registration_item ? *registration_item : item;
    if (!out.api) {
        error(where, "'api' needs an 'api:' block in the account (provider, environment, client_id_env, ...)");
        return;
    }
    for (const ApiProvider& provider : k_api_providers) {
        if (provider.name == out.api->provider && provider.bank != out.bank) {
            error(bank_item ? *bank_item : where,
                  fmt::format("the account's bank is '{}', but api provider '{}' is {} (bank {})", out.bank,
                              provider.name, provider.bank_name, provider.bank));
        }
    }
}

void Loader::bank_api(const Item& item, BankApi& out)
{
    std::vector<std::string_view> providers;
    for (const ApiProvider& provider : k_api_providers) {
        providers.push_back(provider.name);
    }
    fields(item, {
        {"provider", one_of(out.provider, providers)},
        {"environment", one_of(out.environment, {"sandbox", "production"})},
        {"base_url", url(out.base_url, {"https", "http"})},
        {"token_url", url(out.token_url, {"https", "http"})},
        {"timeout_seconds", integer(out.timeout_seconds, 0)},
        {"retries", integer(out.retries, 0)},
        {"backoff_ms", integer(out.backoff_ms, 0)},
        {"client_id_env", env_name(out.client_id_env)},
        {"client_secret_env", env_name(out.client_secret_env)},
        {"app_key_env", env_name(out.app_key_env)},
        {"variacao_carteira", text(out.variacao_carteira)},
        {"certificate", path(out.certificate)},
        {"password_env", env_name(out.password_env)},
        {"ca_bundle", path(out.ca_bundle)},
    });
}

void Loader::dunning(const Item& item, std::vector<DunningStep>& out)
{
    fields(item, {{"steps", [&](const Item& steps) {
                       out.clear();
                       list(steps, [&](const Item& element) {
                           DunningStep step;
                           Item template_item{YAML::Node(), element.mark(), element.path + ".template"};
                           fields(element,
                                  {
                                      {"offset", integer(step.offset, std::numeric_limits<int>::min())},
                                      {"action", one_of(step.action, {"reminder", "final-notice", "collection"})},
                                      {"channel", one_of(step.channel, {"email", "letter", "none"})},
                                      {"template", [&](const Item& value) {
                                           template_item = value;
                                           text(step.template_name)(value);
                                       }},
                                  },
                                  {"offset", "action", "channel"});
                           out.push_back(std::move(step));
                           m_step_items.push_back(element);
                           m_step_template_items.push_back(template_item);
                       });
                   }}});
}

void Loader::mail(const Item& item, Mail& out)
{
    fields(item, {
        {"smtp_url", url(out.smtp_url, {"smtp", "smtps"})},
        {"username_env", env_name(out.username_env)},
        {"password_env", env_name(out.password_env)},
        {"from", text(out.from, true)},
        {"outbox", path(out.outbox, true)},
        {"ca_bundle", path(out.ca_bundle)},
    });
}

void Loader::templates(const Item& item, std::map<std::string, Template>& out)
{
    const std::map<std::string, Template> defaults = out;
    out.clear();
    if (item.node.IsNull()) {
        return;
    }
    if (!item.node.IsMap()) {
        error(item, "expected a mapping of template names to {subject, body}");
        return;
    }
    for (const auto& entry : item.node) {
        if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
            error(entry.first.Mark(), "templates: a template name must be a plain name");
            continue;
        }
        const std::string& name = entry.first.Scalar();
        const Item element{entry.second, entry.first.Mark(), join_path(item.path, name)};
        if (out.count(name) != 0) {
            error(element.key_mark, fmt::format("duplicate template '{}'", name));
            continue;
        }
        const auto fallback = defaults.find(name);
        Template entry_value = fallback != defaults.end() ? fallback->second : Template{};
        m_body_items[name] = Item{element.node, element.key_mark, element.path + ".body"};
        fields(element,
               {
                   {"subject", text(entry_value.subject)},
                   {"body", [&](const Item& value) {
                        m_body_items[name] = value;
                        path(entry_value.body, true)(value);
                    }},
               },
               fallback != defaults.end() ? std::vector<std::string_view>{} : std::vector<std::string_view>{"body"});
        out.emplace(name, std::move(entry_value));
    }
}

void Loader::check_dunning(const Config& config)
{
    std::vector<std::string_view> names;
    for (const auto& entry : config.templates) {
        names.push_back(entry.first);
    }
    for (std::size_t i = 0; i < config.dunning.size(); ++i) {
        const DunningStep& step = config.dunning[i];
        const std::string path = fmt::format("dunning.steps[{}]", i);
        const bool written = i < m_step_items.size();
        const Item step_item = written ? m_step_items[i] : unplaced(path + " (default)");
        const Item template_item =
            written ? m_step_template_items[i] : unplaced(path + ".template (default)");
        for (std::size_t j = 0; j < i; ++j) {
            if (config.dunning[j].offset == step.offset) {
                // A step is applied to an invoice once, and known by its offset.
                error(step_item, fmt::format("offset {} is already the offset of dunning.steps[{}]: each step needs "
                                             "its own day",
                                             step.offset, j));
                break;
            }
        }
        if (step.template_name.empty()) {
            if (step.channel != "none" && !step.channel.empty()) {
                error(step_item,
                      fmt::format("channel '{}' needs a template (one of: {})", step.channel, fmt::join(names, ", ")));
            }
        } else if (config.templates.count(step.template_name) == 0) {
            error(template_item, fmt::format("no template named '{}' under templates{}", step.template_name,
                                             did_you_mean(step.template_name, names)));
        }
    }
}

// Run after the paths are resolved: every template body file must exist.
void Loader::check_files(const Config& config)
{
    for (const auto& [name, entry] : config.templates) {
        std::error_code ec;
        const auto written = m_body_items.find(name);
        const Item where = written != m_body_items.end()
                               ? written->second
                               : unplaced(fmt::format("templates.{}.body (default)", name));
        for (const auto& p : check_placeholders(entry.subject)) {
            error(where, fmt::format("templates.{}.subject: {}", name, p.message));
        }
        if (entry.body.empty()) {  // already reported missing
            continue;
        }
        if (fs::is_regular_file(entry.body, ec)) {
            std::ifstream in(entry.body, std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            for (const auto& p : check_placeholders(text.str())) {
                error(where, fmt::format("{}:{}:{}: {}", entry.body.string(), p.line, p.column, p.message));
            }
            continue;
        }
        error(where, fmt::format("template file '{}' not found (`billrun init` writes the default ones)",
                                 entry.body.string()));
    }
}

void resolve_paths(Config& config)
{
    const auto resolve = [&](fs::path& path) {
        if (!path.empty() && path.is_relative() && !config.dir.empty()) {
            path = config.dir / path;
        }
    };
    resolve(config.nfse.certificate);
    resolve(config.nfse.ca_bundle);
    for (BankAccount& account : config.boleto.accounts) {
        if (account.api) {
            resolve(account.api->certificate);
            resolve(account.api->ca_bundle);
        }
    }
    resolve(config.mail.outbox);
    resolve(config.mail.ca_bundle);
    for (auto& entry : config.templates) {
        resolve(entry.second.body);
    }
    resolve(config.output_dir);
}

std::string place(const std::string& file, const YAML::Mark& mark)
{
    return mark.is_null() ? file : fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

}  // namespace

Result<Config> load_config(const fs::path& file)
{
    const std::string name = file.string();
    const auto cannot_read = [&](const std::string& why) {
        return fail(ErrorCode::config,
                    fmt::format("{}: cannot read ({}); run 'billrun init' to create one", name, why));
    };
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
        return cannot_read("it is a directory");
    }
    errno = 0;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const int err = errno;
        return cannot_read(err != 0 ? std::generic_category().message(err) : "cannot open");
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    if (in.bad()) {
        return cannot_read("read error");
    }

    std::vector<YAML::Node> documents;
    try {
        documents = load_all_yaml(contents.str());
    } catch (const YAML::Exception& e) {
        return fail(ErrorCode::config, fmt::format("{}: {}", place(name, e.mark), e.msg));
    }
    if (documents.empty() || documents[0].IsNull()) {
        return fail(ErrorCode::config,
                    fmt::format("{}: the configuration is empty; run 'billrun init' to write a commented one", name));
    }
    if (documents.size() > 1) {
        return fail(ErrorCode::config, fmt::format("{}: only one YAML document is allowed ('---' starts a second one)",
                                                   place(name, documents[1].Mark())));
    }
    const YAML::Node& root = documents[0];
    if (!root.IsMap()) {
        return fail(ErrorCode::config,
                    fmt::format("{}: expected a mapping of sections (company:, invoicing:, nfse:, ...)",
                                place(name, root.Mark())));
    }

    Config config = default_config();
    config.file = file;
    config.dir = file.parent_path();
    Loader loader(name);
    try {
        loader.load(root, config);
    } catch (const YAML::Exception& e) {
        return fail(ErrorCode::config, fmt::format("{}: {}", place(name, e.mark), e.msg));
    }
    resolve_paths(config);
    loader.check_files(config);
    if (loader.failed()) {
        return fail(ErrorCode::config, loader.report());
    }
    return config;
}

}  // namespace billrun::config
