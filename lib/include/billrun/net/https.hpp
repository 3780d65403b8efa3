#pragma once
// One HTTPS connection owner (libcurl, OpenSSL backend), shared by the NFS-e client and the
// bank APIs: an optional TLS client certificate (from memory), the server verified against
// the system's CAs plus an optional extra file, https only, no redirects, bounded timeouts.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace billrun::net {

// A TLS client identity held in memory (OpenSSL objects, owned by the implementation).
class ClientIdentity {
public:
    virtual ~ClientIdentity() = default;
    virtual void* key() const = 0;    // EVP_PKEY*
    virtual void* leaf() const = 0;   // X509*
    virtual void* chain() const = 0;  // STACK_OF(X509)*, may be null
};

struct HttpResponse {
    long status = 0;
    std::string body;
    long retry_after = -1;  // seconds, when the server sent Retry-After
};

struct HttpFailure {
    bool retryable = false;  // timeouts, refused or broken connections; never TLS trust failures
    bool sent = true;        // false when the request certainly never reached the server (connect, DNS, TLS)
    // The server refused our TLS client certificate (or wanted one we did not send): a TLS
    // alert, not a network failure; nothing it could act on was received.
    bool certificate_refused = false;
    std::string message;
};

struct HttpRequest {
    const char* method = "GET";          // GET, POST, PUT, PATCH, HEAD
    std::string url;
    std::string_view body;
    // Whole header lines ("Authorization: Bearer ..."); empty: JSON Content-Type and Accept.
    std::vector<std::string> headers;
};

class HttpsClient {
public:
    // `identity` may be null (no client certificate).
    HttpsClient(std::shared_ptr<const ClientIdentity> identity, std::filesystem::path ca_bundle, int timeout_seconds);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;
    HttpsClient(HttpsClient&&) = delete;
    HttpsClient& operator=(HttpsClient&&) = delete;

    bool ready() const { return m_curl != nullptr; }
    tl::expected<HttpResponse, HttpFailure> request(const HttpRequest& request);
    // The same with the JSON headers.
    tl::expected<HttpResponse, HttpFailure> request(const char* method, const std::string& url, std::string_view body);

private:
    std::shared_ptr<const ClientIdentity> m_identity;
    std::filesystem::path m_ca_bundle;
    int m_timeout_seconds;
    void* m_curl = nullptr;     // CURL*
    void* m_headers = nullptr;  // curl_slist*, the JSON headers
};

}  // namespace billrun::net
