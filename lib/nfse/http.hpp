#pragma once
// One HTTPS connection owner for lib/nfse (libcurl, OpenSSL backend): the A1 certificate as
// the TLS client certificate (from memory), the server verified against the system's CAs
// plus an optional extra file, https only, no redirects, bounded timeouts.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include <billrun/nfse/sign.hpp>

namespace billrun::nfse {

struct HttpResponse {
    long status = 0;
    std::string body;
    long retry_after = -1;  // seconds, when the server sent Retry-After
};

struct HttpFailure {
    bool retryable = false;  // timeouts, refused or broken connections; never TLS trust failures
    std::string message;
};

class HttpsClient {
public:
    HttpsClient(std::shared_ptr<const Certificate> certificate, std::filesystem::path ca_bundle, int timeout_seconds);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;
    HttpsClient(HttpsClient&&) = delete;
    HttpsClient& operator=(HttpsClient&&) = delete;

    bool ready() const { return m_curl != nullptr; }
    tl::expected<HttpResponse, HttpFailure> request(const char* method, const std::string& url, std::string_view body);

private:
    std::shared_ptr<const Certificate> m_certificate;
    std::filesystem::path m_ca_bundle;
    int m_timeout_seconds;
    void* m_curl = nullptr;     // CURL*
    void* m_headers = nullptr;  // curl_slist*
};

}  // namespace billrun::nfse
