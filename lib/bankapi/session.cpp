// OAuth2 client credentials and the retry rules of the bank APIs (FACTS.md §3, §4.3).
#include "session.hpp"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "json.hpp"

namespace billrun::bankapi {

namespace {

std::string base64(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    return out;
}

// A URL as messages show it: without its query, which may carry an app key.
std::string shown(const std::string& url)
{
    return url.substr(0, url.find('?'));
}

std::chrono::milliseconds waited_out(std::chrono::milliseconds wait, long retry_after)
{
    if (retry_after < 0) {
        return wait;
    }
    return std::max<std::chrono::milliseconds>(wait, std::chrono::seconds(std::min(retry_after, 30L)));
}

// A certificate the bank will not take is a configuration matter: retrying cannot help.
tl::unexpected<Error> refused_certificate(const std::string& account, const net::HttpFailure& failure)
{
    return fail(ErrorCode::config, fmt::format("boleto account '{}': {}; api.certificate must be the certificate "
                                               "registered with the bank for this application",
                                               account, failure.message));
}

}  // namespace

std::string url_encode(std::string_view text)
{
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string json_money(Centavos amount)
{
    const char* sign = amount < 0 ? "-" : "";
    const Centavos a = amount < 0 ? -amount : amount;
    return fmt::format("{}{}.{:02}", sign, a / 100, a % 100);
}

Session::Session(SessionSettings settings, const Circumstances& where) : m_settings(std::move(settings)), m_where(where)
{
}

Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::create(SessionSettings settings, const Circumstances& where)
{
    if (!settings.token_url.starts_with("https://")) {
        return fail(ErrorCode::config, fmt::format("token URL '{}': bank APIs are called over https only",
                                                   shown(settings.token_url)));
    }
    if (!settings.ca_bundle.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(settings.ca_bundle, ec)) {
            return fail(ErrorCode::config,
                        fmt::format("{}: cannot read the CA file (api.ca_bundle)", settings.ca_bundle.string()));
        }
    }
    std::unique_ptr<Session> session(new Session(std::move(settings), where));
    const auto& s = session->m_settings;
    session->m_http = std::make_unique<net::HttpsClient>(s.identity, s.ca_bundle, s.timeout_seconds);
    if (!session->m_http->ready()) {
        return fail(ErrorCode::internal, "libcurl cannot start");
    }
    return session;
}

std::string Session::cache_key() const
{
    const auto& s = m_settings;
    return fmt::format("{}|{}|{}|{}|{}", s.provider, s.environment, shown(s.token_url), s.client_id, s.scope);
}

Result<std::string> Session::token(bool renew)
{
    if (!renew && m_token) {
        return *m_token;
    }
    if (!renew) {
        auto kept = ledger::api_token(m_where.ledger, cache_key());
        if (!kept) {
            return tl::unexpected(kept.error());
        }
        if (*kept && (*kept)->expires_at > m_where.ctx.unix_time()) {
            m_token = (*kept)->access_token;
            return *m_token;
        }
    }
    auto fresh = fetch_token();
    if (!fresh) {
        return tl::unexpected(fresh.error());
    }
    m_token = fresh->access_token;
    if (!m_where.ctx.dry_run) {
        auto tx = ledger::WriteTransaction::begin(m_where.ledger);
        if (!tx) {
            return tl::unexpected(tx.error());
        }
        if (auto r = ledger::store_api_token(m_where.ledger, m_where.run, cache_key(), *fresh); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = tx->commit(); !r) {
            return tl::unexpected(r.error());
        }
    }
    return *m_token;
}

Result<void> Session::authenticate()
{
    auto t = token(false);
    return t ? Result<void>() : tl::unexpected(t.error());
}

Result<ledger::ApiToken> Session::fetch_token()
{
    const auto& s = m_settings;
    std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    std::string form = "grant_type=client_credentials";
    if (!s.scope.empty()) {
        form += "&scope=" + url_encode(s.scope);
    }
    if (s.auth == TokenAuth::basic) {
        headers.push_back("Authorization: Basic " + base64(s.client_id + ":" + s.client_secret));
    } else {
        form += "&client_id=" + url_encode(s.client_id);
        if (s.auth == TokenAuth::form) {
            form += "&client_secret=" + url_encode(s.client_secret);
        }
    }
    auto wait = s.backoff;
    std::string last;
    for (int attempt = 0; attempt <= s.retries; ++attempt) {
        if (attempt > 0) {
            std::this_thread::sleep_for(wait);
            wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(8));
        }
        const std::int64_t asked_at = m_where.ctx.unix_time();
        auto response = m_http->request(net::HttpRequest{"POST", s.token_url, form, headers});
        if (!response) {
            last = response.error().message;
            if (response.error().certificate_refused) {
                return refused_certificate(s.account, response.error());
            }
            if (!response.error().retryable) {
                return fail(ErrorCode::unavailable, fmt::format("OAuth token: {}", last));
            }
            continue;
        }
        if (response->status == 429 || response->status >= 500) {
            last = fmt::format("POST {}: HTTP {}", shown(s.token_url), response->status);
            wait = waited_out(wait, response->retry_after);
            continue;
        }
        auto doc = parse_json(response->body);
        if (response->status != 200 || !doc) {
            std::string why = doc ? first_of(*doc, {"error_description", "error", "message"}) : std::string();
            return fail(ErrorCode::config, fmt::format("the bank refused the API credentials: POST {}: HTTP {}{}",
                                                       shown(s.token_url), response->status,
                                                       why.empty() ? std::string() : ": " + why));
        }
        ledger::ApiToken token;
        token.access_token = text(*doc, "access_token");
        if (token.access_token.empty()) {
            return fail(ErrorCode::unavailable, fmt::format("POST {}: the answer has no access_token", shown(s.token_url)));
        }
        std::int64_t lifetime = 600;
        if (auto e = text(*doc, "expires_in"); !e.empty()) {
            lifetime = std::max<std::int64_t>(0, std::strtoll(e.c_str(), nullptr, 10));
        }
        // Renewed early: a token must not expire between the check and the call.
        token.expires_at = asked_at + lifetime - std::max<std::int64_t>(30, lifetime / 10);
        return token;
    }
    return fail(ErrorCode::unavailable, fmt::format("OAuth token: {} (after {} attempt(s))", last, s.retries + 1));
}

Result<Reply> Session::call(const char* method, const std::string& url, std::string_view body, bool repeatable,
                            std::vector<std::string> headers)
{
    const auto& s = m_settings;
    auto wait = s.backoff;
    std::string last;
    bool renewed = false;
    for (int attempt = 0; attempt <= s.retries; ++attempt) {
        if (attempt > 0) {
            std::this_thread::sleep_for(wait);
            wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(8));
        }
        auto bearer = token(false);
        if (!bearer) {
            return tl::unexpected(bearer.error());
        }
        std::vector<std::string> lines = headers;
        lines.emplace_back("Content-Type: application/json");
        lines.emplace_back("Accept: application/json");
        lines.push_back("Authorization: Bearer " + *bearer);
        auto response = m_http->request(net::HttpRequest{method, url, body, lines});
        if (!response) {
            last = response.error().message;
            if (response.error().certificate_refused) {
                return refused_certificate(s.account, response.error());
            }
            if (response.error().sent && !repeatable) {
                return Reply{0, {}, last};  // it may have arrived: the caller looks it up
            }
            if (!response.error().retryable) {
                return fail(ErrorCode::unavailable, last);
            }
            continue;
        }
        if (response->status == 401 && !renewed) {
            // The bank no longer takes the token (expired early, revoked): one new token, one retry.
            renewed = true;
            if (auto fresh = token(true); !fresh) {
                return tl::unexpected(fresh.error());
            }
            --attempt;
            continue;
        }
        if (response->status == 401) {
            return fail(ErrorCode::config, fmt::format("{} {}: HTTP 401 with a new token: the credentials have no "
                                                       "access to this API",
                                                       method, shown(url)));
        }
        if (response->status == 429 || (response->status >= 500 && repeatable)) {
            // A 429 was refused before any work: sent again even when not repeatable.
            last = fmt::format("{} {}: HTTP {}", method, shown(url), response->status);
            wait = waited_out(wait, response->retry_after);
            continue;
        }
        Reply reply{response->status, std::move(response->body), {}};
        if (reply.status >= 500) {
            reply.failure = fmt::format("{} {}: HTTP {}", method, shown(url), reply.status);
        }
        return reply;
    }
    // Every attempt was refused (429) or never left: nothing reached the bank.
    return fail(ErrorCode::unavailable, fmt::format("{} (after {} attempt(s))", last, s.retries + 1));
}

}  // namespace billrun::bankapi
