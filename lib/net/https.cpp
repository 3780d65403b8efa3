#include <billrun/net/https.hpp>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace billrun::net {

namespace {

struct Exchange {
    std::string body;
    long retry_after = -1;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user)
{
    static_cast<Exchange*>(user)->body.append(data, size * count);
    return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user)
{
    std::string_view line(data, size * count);
    constexpr std::string_view name = "retry-after:";
    if (line.size() > name.size()) {
        std::string head(line.substr(0, name.size()));
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
        if (head == name) {
            std::string value(line.substr(name.size()));
            char* end = nullptr;
            long seconds = std::strtol(value.c_str(), &end, 10);
            if (end != value.c_str() && seconds >= 0) {
                static_cast<Exchange*>(user)->retry_after = seconds;
            }
        }
    }
    return size * count;
}

struct TlsSetup {
    const ClientIdentity* identity;
    const std::filesystem::path* ca_bundle;
};

// Called by libcurl for each new connection: the client certificate, its chain, the extra CA.
CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* user)
{
    auto* setup = static_cast<TlsSetup*>(user);
    auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
    if (const ClientIdentity* c = setup->identity; c != nullptr) {
        if (SSL_CTX_use_certificate(ctx, static_cast<X509*>(c->leaf())) != 1 ||
            SSL_CTX_use_PrivateKey(ctx, static_cast<EVP_PKEY*>(c->key())) != 1) {
            ERR_clear_error();
            return CURLE_SSL_CERTPROBLEM;
        }
        if (auto* chain = static_cast<STACK_OF(X509)*>(c->chain())) {
            for (int i = 0; i < sk_X509_num(chain); ++i) {
                SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i));
            }
        }
    }
    if (!setup->ca_bundle->empty() &&
        X509_STORE_load_file(SSL_CTX_get_cert_store(ctx), setup->ca_bundle->c_str()) != 1) {
        ERR_clear_error();
        return CURLE_SSL_CACERT_BADFILE;
    }
    ERR_clear_error();
    return CURLE_OK;
}

// A URL as messages show it: without its query, which may carry an API key.
std::string_view shown(const std::string& url)
{
    return std::string_view(url).substr(0, url.find('?'));
}

// Failures before anything was sent: the server cannot have acted on the request.
bool never_sent(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return true;
    default:
        return false;
    }
}

bool retryable(CURLcode code)
{
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

// The TLS alerts a server sends when it will not take the client's certificate. With TLS 1.3
// the client learns of them only on its first read, after the request was written: the
// server still never saw it as a request.
bool certificate_refused(CURLcode code, std::string_view detail)
{
    if (code != CURLE_SSL_CONNECT_ERROR && code != CURLE_RECV_ERROR && code != CURLE_SEND_ERROR &&
        code != CURLE_SSL_CERTPROBLEM) {
        return false;
    }
    for (std::string_view alert : {"alert unknown ca", "alert bad certificate", "alert certificate required",
                                   "alert certificate unknown", "alert certificate expired",
                                   "alert certificate revoked", "alert unsupported certificate"}) {
        if (detail.find(alert) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

HttpsClient::HttpsClient(std::shared_ptr<const ClientIdentity> identity, std::filesystem::path ca_bundle,
                         int timeout_seconds)
    : m_identity(std::move(identity)), m_ca_bundle(std::move(ca_bundle)), m_timeout_seconds(timeout_seconds)
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    m_curl = curl_easy_init();
    m_headers = curl_slist_append(nullptr, "Content-Type: application/json");
    m_headers = curl_slist_append(static_cast<curl_slist*>(m_headers), "Accept: application/json");
}

HttpsClient::~HttpsClient()
{
    curl_slist_free_all(static_cast<curl_slist*>(m_headers));
    if (m_curl != nullptr) {
        curl_easy_cleanup(static_cast<CURL*>(m_curl));
    }
}

tl::expected<HttpResponse, HttpFailure> HttpsClient::request(const char* method, const std::string& url,
                                                            std::string_view body)
{
    return request(HttpRequest{method, url, body, {}});
}

tl::expected<HttpResponse, HttpFailure> HttpsClient::request(const HttpRequest& req)
{
    const char* method = req.method;
    const std::string& url = req.url;
    std::string_view body = req.body;
    curl_slist* own_headers = nullptr;
    for (const auto& line : req.headers) {
        own_headers = curl_slist_append(own_headers, line.c_str());
    }
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> own(own_headers, curl_slist_free_all);
    CURL* curl = static_cast<CURL*>(m_curl);
    curl_easy_reset(curl);
    Exchange exchange;
    TlsSetup tls{m_identity.get(), &m_ca_bundle};
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    // With a client certificate, TLS 1.2 exactly: there a server that refuses the certificate
    // says so inside the handshake, before any byte of the request leaves. In TLS 1.3 its alert
    // comes after the client finished, racing the request's write: the refusal would read as a
    // broken pipe, be retried, and count a request that never reached the server as sent.
    curl_easy_setopt(curl, CURLOPT_SSLVERSION,
                     m_identity ? static_cast<long>(CURL_SSLVERSION_TLSv1_2) | static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_2)
                                : static_cast<long>(CURL_SSLVERSION_TLSv1_2));
#if LIBCURL_VERSION_NUM >= 0x075700
    curl_easy_setopt(curl, CURLOPT_CA_CACHE_TIMEOUT, 0L);  // the extra CA goes into a store of this handle only
#endif
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, &tls);
    long total = std::max(1, m_timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, std::min(total, 30L));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, total);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, own ? own.get() : static_cast<curl_slist*>(m_headers));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "billrun");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    const std::string_view verb(method);
    if (verb == "POST" || verb == "PUT" || verb == "PATCH") {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        if (verb != "POST") {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
        }
    } else if (std::string_view(method) == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
        while (!detail.empty() && detail.back() == '\n') {
            detail.pop_back();
        }
        if (certificate_refused(rc, detail)) {
            return tl::unexpected(HttpFailure{false, false, true,
                                              fmt::format("{} {}: the server refused the TLS client certificate ({})",
                                                          method, shown(url), detail)});
        }
        return tl::unexpected(
            HttpFailure{retryable(rc), !never_sent(rc), false, fmt::format("{} {}: {}", method, shown(url), detail)});
    }
    HttpResponse response;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    response.body = std::move(exchange.body);
    response.retry_after = exchange.retry_after;
    return response;
}

}  // namespace billrun::net
