// The table of bank API providers, and opening an account's adapter.
#include "providers.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <billrun/net/pkcs12.hpp>

#include "json.hpp"

namespace billrun::bankapi {

namespace providers {
extern const Provider bb_cobranca_v2;      // providers/bb_cobranca_v2.cpp
extern const Provider sicoob_cobranca_v3;  // providers/sicoob_cobranca_v3.cpp
extern const Provider inter_cobranca_v3;   // providers/inter_cobranca_v3.cpp
}

namespace {

// Adding a provider: its file under providers/, and one line here.
constexpr std::array<const Provider*, 3> k_providers{&providers::bb_cobranca_v2, &providers::sicoob_cobranca_v3,
                                                     &providers::inter_cobranca_v3};

std::string trim_slash(std::string s)
{
    while (!s.empty() && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

}  // namespace

const Provider* find_provider(std::string_view name)
{
    for (const Provider* p : k_providers) {
        if (p->name == name) {
            return p;
        }
    }
    return nullptr;
}

std::span<const std::string_view> provider_names()
{
    static const auto names = [] {
        std::array<std::string_view, k_providers.size()> out{};
        for (std::size_t i = 0; i < k_providers.size(); ++i) {
            out[i] = k_providers[i]->name;
        }
        return out;
    }();
    return names;
}

Result<void> check_account(const config::BankAccount& account)
{
    const std::string name = account.api ? account.api->provider : std::string();
    const Provider* provider = find_provider(name);
    if (provider == nullptr) {
        return fail(ErrorCode::config,
                    fmt::format("boleto account '{}': api provider '{}' is not available in this version (available: {})",
                                account.id, name, fmt::join(provider_names(), ", ")));
    }
    if (auto r = provider->check(account); !r) {
        return fail(ErrorCode::config, fmt::format("boleto account '{}': {}", account.id, r.error().message));
    }
    return {};
}

bool has_webhooks(const config::BankAccount& account)
{
    const Provider* provider = account.api ? find_provider(account.api->provider) : nullptr;
    return provider != nullptr && provider->parse_webhook != nullptr;
}

Result<std::vector<WebhookHint>> parse_webhook(const config::BankAccount& account, std::string_view payload)
{
    if (!has_webhooks(account)) {
        return fail(ErrorCode::usage, fmt::format("boleto account '{}': its api provider '{}' has no webhooks in this "
                                                  "version",
                                                  account.id, account.api ? account.api->provider : std::string()));
    }
    return find_provider(account.api->provider)->parse_webhook(payload);
}

namespace {

struct Credentials {
    std::string client_id;
    std::string client_secret;
    std::string app_key;
    std::shared_ptr<const net::ClientIdentity> identity;
};

// What the account's provider needs from the environment and the disk; every failure names
// the account and the key. Secrets never go into a message.
Result<Credentials> credentials(const config::BankAccount& account, const Provider& provider, const RunContext& ctx)
{
    const config::BankApi& api = *account.api;
    auto secret = [&](const std::string& variable, std::string_view key) -> Result<std::string> {
        auto value = ctx.secret(variable);
        if (!value) {
            return fail(ErrorCode::config, fmt::format("boleto account '{}': the environment variable {} (api.{}) is "
                                                       "not set",
                                                       account.id, variable.empty() ? "(none)" : variable, key));
        }
        return *value;
    };
    Credentials out;
    auto id = secret(api.client_id_env, "client_id_env");
    if (!id) {
        return tl::unexpected(id.error());
    }
    out.client_id = std::move(*id);
    if (provider.auth != TokenAuth::client_id_only) {
        auto client_secret = secret(api.client_secret_env, "client_secret_env");
        if (!client_secret) {
            return tl::unexpected(client_secret.error());
        }
        out.client_secret = std::move(*client_secret);
    }
    if (provider.app_key) {
        auto key = secret(api.app_key_env, "app_key_env");
        if (!key) {
            return tl::unexpected(key.error());
        }
        out.app_key = std::move(*key);
    }
    if (api.certificate.empty()) {
        if (provider.client_certificate && api.environment == "production") {
            return fail(ErrorCode::config, fmt::format("boleto account '{}': api.certificate: {} demands a client "
                                                       "certificate (mutual TLS) in production",
                                                       account.id, provider.name));
        }
        return out;
    }
    if (!provider.client_certificate) {
        return fail(ErrorCode::config, fmt::format("boleto account '{}': api.certificate: {} takes no client "
                                                   "certificate",
                                                   account.id, provider.name));
    }
    std::string password;
    if (!api.password_env.empty()) {
        auto value = secret(api.password_env, "password_env");
        if (!value) {
            return tl::unexpected(value.error());
        }
        password = std::move(*value);
    }
    auto identity = net::Pkcs12Identity::load(api.certificate, password, "api.certificate");
    OPENSSL_cleanse(password.data(), password.size());
    if (!identity) {
        return fail(ErrorCode::config, fmt::format("boleto account '{}': {}", account.id, identity.error().message));
    }
    out.identity = std::move(*identity);
    return out;
}

}  // namespace

Result<void> check_account(const config::BankAccount& account, const RunContext& ctx)
{
    if (auto r = check_account(account); !r) {
        return r;
    }
    auto found = credentials(account, *find_provider(account.api->provider), ctx);
    return found ? Result<void>() : tl::unexpected(found.error());
}

namespace {

struct Opened {
    std::unique_ptr<Session> session;
    Endpoint endpoint;
};

Result<Opened> open_session(const config::BankAccount& account, const Circumstances& where)
{
    if (auto r = check_account(account); !r) {
        return tl::unexpected(r.error());
    }
    const config::BankApi& api = *account.api;
    const Provider& provider = *find_provider(api.provider);
    auto found = credentials(account, provider, where.ctx);
    if (!found) {
        return tl::unexpected(found.error());
    }
    SessionSettings s;
    s.account = account.id;
    s.provider = std::string(provider.name);
    s.environment = api.environment;
    const bool production = api.environment == "production";
    s.token_url = api.token_url.empty()
                      ? std::string(production ? provider.production_token_url : provider.sandbox_token_url)
                      : api.token_url;
    s.scope = std::string(provider.scope);
    s.auth = provider.auth;
    s.timeout_seconds = api.timeout_seconds > 0 ? api.timeout_seconds : 30;
    s.retries = api.retries;
    s.backoff = std::chrono::milliseconds(api.backoff_ms);
    s.ca_bundle = api.ca_bundle;
    s.client_id = std::move(found->client_id);
    s.client_secret = std::move(found->client_secret);
    s.identity = std::move(found->identity);
    Endpoint endpoint;
    endpoint.app_key = std::move(found->app_key);
    endpoint.base_url = trim_slash(api.base_url.empty() ? std::string(production ? provider.production_base_url
                                                                                 : provider.sandbox_base_url)
                                                        : api.base_url);
    if (!endpoint.base_url.starts_with("https://")) {
        return fail(ErrorCode::config, fmt::format("boleto account '{}': api.base_url '{}': bank APIs are called over "
                                                   "https only",
                                                   account.id, endpoint.base_url));
    }
    auto session = Session::create(std::move(s), where);
    if (!session) {
        return fail(ErrorCode::config, fmt::format("boleto account '{}': {}", account.id, session.error().message));
    }
    return Opened{std::move(*session), std::move(endpoint)};
}

}  // namespace

Result<std::unique_ptr<Adapter>> open_adapter(const config::BankAccount& account, const Circumstances& where)
{
    auto opened = open_session(account, where);
    if (!opened) {
        return tl::unexpected(opened.error());
    }
    return find_provider(account.api->provider)->make(account, std::move(opened->session), std::move(opened->endpoint));
}

Result<Adapter*> AdapterCache::get(const config::BankAccount& account)
{
    auto found = m_adapters.find(account.id);
    if (found != m_adapters.end()) {
        return found->second.get();
    }
    auto made = open_adapter(account, m_where);
    if (!made) {
        return fail(made.error().code, fmt::format("{}: {}", m_config.file.string(), made.error().message));
    }
    return m_adapters.emplace(account.id, std::move(*made)).first->second.get();
}

Result<void> authenticate(const config::BankAccount& account, const Circumstances& where)
{
    auto opened = open_session(account, where);
    if (!opened) {
        return tl::unexpected(opened.error());
    }
    if (auto r = opened->session->authenticate(); !r) {
        return fail(r.error().code, fmt::format("boleto account '{}': {}", account.id, r.error().message));
    }
    return {};
}

bool BankErrors::has(std::string_view code) const
{
    for (const auto& [c, m] : items) {
        if (c == code) {
            return true;
        }
    }
    return false;
}

std::string BankErrors::summary(long status) const
{
    std::string out = fmt::format("HTTP {}", status);
    for (const auto& [c, m] : items) {
        out += fmt::format("; {}{}{}", c, c.empty() || m.empty() ? "" : ": ", m);
    }
    return out;
}

BankErrors read_errors(std::string_view body)
{
    BankErrors out;
    auto doc = parse_json(body);
    if (!doc) {
        return out;
    }
    for (auto key : {"erros", "errors", "mensagens", "violacoes"}) {
        YAML::Node list = member(*doc, key);
        if (list && list.IsSequence()) {
            for (const auto& item : list) {
                out.items.emplace_back(first_of(item, {"codigo", "code", "propriedade"}),
                                       first_of(item, {"mensagem", "message", "razao"}));
            }
        }
    }
    if (out.items.empty()) {
        std::string message = first_of(*doc, {"message", "mensagem", "detail", "title", "error"});
        if (!message.empty()) {
            out.items.emplace_back(first_of(*doc, {"statusCode", "codigo"}), message);
        }
    }
    return out;
}

std::optional<RegisterAnswer> unsure_registration(const Reply& reply)
{
    if (reply.status != 0 && reply.status < 500) {
        return std::nullopt;
    }
    RegisterAnswer answer;
    answer.outcome = RegisterOutcome::unknown;
    answer.message = reply.failure;
    return answer;
}

Result<void> command_done(const Result<Reply>& reply, std::string_view what)
{
    if (!reply) {
        return tl::unexpected(reply.error());
    }
    if (reply->status >= 200 && reply->status < 300) {
        return {};
    }
    if (reply->status == 0 || reply->status >= 500) {
        return fail(ErrorCode::unavailable, reply->failure);
    }
    return fail(ErrorCode::data_invalid, fmt::format("{}: {}", what, read_errors(reply->body).summary(reply->status)));
}

std::string json_number(std::string_view digits)
{
    auto first = digits.find_first_not_of('0');
    return first == std::string_view::npos ? std::string("0") : std::string(digits.substr(first));
}

std::string clip(std::string_view text, std::size_t n)
{
    std::string out;
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size() && count < n;) {
        int len = std::max(1, utf8_sequence_length(text.substr(i)));
        std::string piece(text.substr(i, static_cast<std::size_t>(len)));
        out += piece == "\n" || piece == "\r" ? std::string(" ") : piece;
        i += static_cast<std::size_t>(len);
        ++count;
    }
    return out;
}

std::string dd_mm_yyyy(Date date, char separator)
{
    return fmt::format("{:02}{}{:02}{}{:04}", date.day(), separator, date.month(), separator, date.year());
}

std::optional<Date> parse_bank_date(std::string_view text)
{
    if (text.size() >= 10 && (text[2] == '.' || text[2] == '/') && (text[5] == '.' || text[5] == '/')) {
        auto num = [&](std::size_t at, std::size_t n) {
            int v = 0;
            for (std::size_t i = at; i < at + n; ++i) {
                if (text[i] < '0' || text[i] > '9') {
                    return -1;
                }
                v = v * 10 + (text[i] - '0');
            }
            return v;
        };
        return Date::from_ymd(num(6, 4), num(3, 2), num(0, 2));
    }
    return parse_iso_date(text.substr(0, 10));
}

std::optional<Centavos> parse_bank_money(std::string_view text)
{
    if (text.empty() || text.find(',') != std::string_view::npos) {
        return std::nullopt;
    }
    auto dot = text.find('.');
    if (dot != std::string_view::npos && text.size() - dot - 1 > 2) {
        // "12.300000001" from a float on the bank's side: round to the centavo.
        std::string kept(text.substr(0, dot + 3));
        auto base = parse_money(kept);
        if (!base) {
            return std::nullopt;
        }
        const char next = text[dot + 3];
        return *base + ((next >= '5' && next <= '9') ? (*base < 0 ? -1 : 1) : 0);
    }
    return parse_money(text);
}

}  // namespace billrun::bankapi
