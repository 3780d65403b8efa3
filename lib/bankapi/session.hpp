#pragma once
// The HTTP side every provider shares: OAuth2 client credentials (the token kept in the
// ledger between runs, renewed when it expires or the bank says 401), bounded timeouts, 429
// waited out (Retry-After honoured), 5xx and network failures retried only for calls that
// can be repeated safely. Secrets never go into messages.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/bankapi.hpp>
#include <billrun/net/https.hpp>

namespace billrun::bankapi {

enum class TokenAuth {
    basic,  // Authorization: Basic base64(id:secret) (BB)
    form,   // client_id and client_secret in the form body (Inter)
    client_id_only,  // client_id in the form body, no secret: the client certificate proves who calls (Sicoob)
};

struct SessionSettings {
    std::string account;  // the boleto account id, for messages
    std::string provider;
    std::string environment;
    std::string token_url;
    std::string scope;
    std::string client_id;
    std::string client_secret;
    TokenAuth auth = TokenAuth::basic;
    int timeout_seconds = 30;
    std::filesystem::path ca_bundle;
    std::shared_ptr<const net::ClientIdentity> identity;  // null: no client certificate
    int retries = 3;                                       // attempts after the first
    std::chrono::milliseconds backoff{500};                // doubles, at most 8 s; Retry-After wins, to 30 s
};

struct Reply {
    long status = 0;      // 0: sent, but no answer came (timeout, broken connection)
    std::string body;
    std::string failure;  // why, when status is 0 or the call gave up on a 5xx
};

class Session {
public:
    // Errors: config (a token URL or CA file that cannot be used).
    static Result<std::unique_ptr<Session>> create(SessionSettings settings, const Circumstances& where);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // One API call with the bearer token. `repeatable` calls (queries, lists) are retried on
    // 5xx and network failures; others only when they certainly did not reach the server.
    // Returns the bank's answer (any status but 401 and 429, or the last 5xx), or status 0 when
    // a request that was sent got no answer. Errors: unavailable (nothing sent after the
    // retries, or no token), config (the credentials refused).
    Result<Reply> call(const char* method, const std::string& url, std::string_view body, bool repeatable,
                       std::vector<std::string> headers = {});

    // A token at hand (kept in the ledger, or asked for now). Errors: config (the credentials
    // refused), unavailable.
    Result<void> authenticate();

    const SessionSettings& settings() const { return m_settings; }

private:
    Session(SessionSettings settings, const Circumstances& where);
    Result<std::string> token(bool renew);
    Result<ledger::ApiToken> fetch_token();
    std::string cache_key() const;

    SessionSettings m_settings;
    Circumstances m_where;
    std::unique_ptr<net::HttpsClient> m_http;
    std::optional<std::string> m_token;
};

// Percent-encoding for query strings and forms (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);
// A JSON string literal, quotes included.
using io::json_string;
// Centavos as a JSON number with two decimals ("1234.50").
std::string json_money(Centavos amount);

}  // namespace billrun::bankapi
