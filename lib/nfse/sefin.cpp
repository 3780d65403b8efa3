// The Sefin Nacional API client (the wire format's pure pieces are in answer.cpp).
#include <billrun/nfse/sefin.hpp>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include <billrun/net/https.hpp>

namespace billrun::nfse {

namespace {

std::string trim_slash(std::string s)
{
    while (!s.empty() && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

}  // namespace

struct SefinClient::Impl {
    Transport transport;
    net::HttpsClient http;
    Impl(const Transport& t, std::shared_ptr<const Certificate> certificate)
        : transport(t), http(std::move(certificate), t.ca_bundle, t.timeout_seconds)
    {
    }
};

Result<std::unique_ptr<SefinClient>> SefinClient::create(const Transport& transport,
                                                         std::shared_ptr<const Certificate> certificate)
{
    if (!transport.endpoint.starts_with("https://")) {
        return fail(ErrorCode::config,
                    fmt::format("nfse.endpoint '{}': the NFS-e is sent over https only", transport.endpoint));
    }
    if (!transport.ca_bundle.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(transport.ca_bundle, ec)) {
            return fail(ErrorCode::config,
                        fmt::format("{}: cannot read the CA file (nfse.ca_bundle)", transport.ca_bundle.string()));
        }
    }
    std::unique_ptr<SefinClient> client(new SefinClient());
    client->m_impl = std::make_unique<Impl>(transport, std::move(certificate));
    client->m_impl->transport.endpoint = trim_slash(transport.endpoint);
    if (!client->m_impl->http.ready()) {
        return fail(ErrorCode::internal, "libcurl cannot start");
    }
    return client;
}

SefinClient::~SefinClient() = default;

Result<ApiAnswer> SefinClient::call(const char* method, const std::string& path, std::string_view body)
{
    const Transport& t = m_impl->transport;
    std::string url = t.endpoint + path;
    std::string last;
    auto wait = t.backoff;
    for (int attempt = 0; attempt <= t.retries; ++attempt) {
        if (attempt > 0) {
            std::this_thread::sleep_for(wait);
            wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(8));
        }
        auto response = m_impl->http.request(method, url, body);
        if (!response) {
            last = response.error().message;
            if (!response.error().retryable) {
                return fail(ErrorCode::unavailable, last);
            }
            continue;
        }
        if (response->status >= 500 || response->status == 429) {
            auto answer = parse_answer(response->status, response->body);
            std::string why = answer && !answer->errors.empty() ? ": " + answer->error_summary() : std::string();
            last = fmt::format("{} {}: HTTP {}{}", method, url, response->status, why);
            if (response->retry_after >= 0) {
                wait = std::max<std::chrono::milliseconds>(
                    wait, std::chrono::seconds(std::min(response->retry_after, 30L)));
            }
            continue;
        }
        auto answer = parse_answer(response->status, response->body);
        if (!answer) {
            return fail(ErrorCode::unavailable, fmt::format("{} {}: {}", method, url, answer.error().message));
        }
        return answer;
    }
    return fail(ErrorCode::unavailable, fmt::format("{} (after {} attempt(s))", last, t.retries + 1));
}

Result<ApiAnswer> SefinClient::send_dps(std::string_view signed_xml)
{
    return call("POST", "/nfse", dps_post_body(signed_xml));
}

Result<ApiAnswer> SefinClient::find_dps(std::string_view dps_id)
{
    return call("GET", fmt::format("/dps/{}", dps_id), {});
}

Result<ApiAnswer> SefinClient::get_nfse(std::string_view access_key)
{
    return call("GET", fmt::format("/nfse/{}", access_key), {});
}

Result<ApiAnswer> SefinClient::send_event(std::string_view access_key, std::string_view signed_xml)
{
    return call("POST", fmt::format("/nfse/{}/eventos", access_key), event_post_body(signed_xml));
}

Result<ApiAnswer> SefinClient::find_event(std::string_view access_key, std::string_view type, int sequence)
{
    return call("GET", fmt::format("/nfse/{}/eventos/{}/{}", access_key, type, sequence), {});
}

}  // namespace billrun::nfse
