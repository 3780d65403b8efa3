// SMTP delivery through libcurl: curl speaks the protocol (EHLO, STARTTLS, AUTH, dot-stuffing);
// this file sets it up, retries temporary failures and words the errors.
#include <algorithm>
#include <chrono>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>

#include <billrun/core/text.hpp>
#include <billrun/mail/mail.hpp>

namespace billrun::mail {

namespace {

constexpr std::string_view k_temporary = "temporary SMTP failure";
constexpr std::string_view k_permanent = "permanent SMTP failure";
constexpr std::string_view k_unknown = "SMTP outcome unknown";
constexpr long k_max_connect_seconds = 15;

void global_init()
{
    static const CURLcode k_init = curl_global_init(CURL_GLOBAL_DEFAULT);
    (void)k_init;
}

// The one owner of a CURL handle and its recipient list; not movable (curl keeps pointers
// to the error buffer and the upload cursor).
class Curl {
public:
    Curl() : m_handle(curl_easy_init()) {}
    Curl(const Curl&) = delete;
    Curl& operator=(const Curl&) = delete;
    ~Curl()
    {
        if (m_handle != nullptr) {
            curl_easy_cleanup(m_handle);  // says QUIT on a connection still open
        }
        curl_slist_free_all(m_recipients);
    }

    CURL* get() const { return m_handle; }

    // Replaces the RCPT TO list; the old one is freed only once curl no longer points at it.
    bool set_recipients(const std::vector<std::string>& addresses)
    {
        curl_slist* list = nullptr;
        for (const auto& a : addresses) {
            curl_slist* next = curl_slist_append(list, ("<" + a + ">").c_str());
            if (next == nullptr) {
                curl_slist_free_all(list);
                return false;
            }
            list = next;
        }
        curl_easy_setopt(m_handle, CURLOPT_MAIL_RCPT, list);
        curl_slist_free_all(m_recipients);
        m_recipients = list;
        return true;
    }

private:
    CURL* m_handle;
    curl_slist* m_recipients = nullptr;
};

struct Upload {
    std::string_view data;
    std::size_t pos = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user)
{
    auto* upload = static_cast<Upload*>(user);
    std::size_t n = std::min(size * count, upload->data.size() - upload->pos);
    std::copy_n(upload->data.data() + upload->pos, n, buffer);
    upload->pos += n;
    return n;
}

// Keeps the server's last 4xx or 5xx reply line, for the error message.
int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user)
{
    if (type == CURLINFO_HEADER_IN && size >= 3 && (data[0] == '4' || data[0] == '5') && data[1] >= '0' &&
        data[1] <= '9' && data[2] >= '0' && data[2] <= '9') {
        auto* last = static_cast<std::string*>(user);
        last->clear();
        for (std::size_t i = 0; i < size && last->size() < 200; ++i) {
            char c = data[i];
            if (c >= ' ' && c < 0x7F) {
                *last += c;
            }
        }
    }
    return 0;
}

bool is_loopback(std::string_view host)
{
    return host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "::1";
}

// Worth another try soon: a 4xx reply, or no usable reply at all (no connection, a time-out,
// a dropped connection). 5xx replies and TLS, certificate, login and URL problems are not.
bool is_temporary_failure(CURLcode rc, long reply)
{
    if (reply >= 400 && reply < 500) {
        return true;
    }
    if (reply >= 500 && reply < 600) {
        return false;
    }
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
        return false;
    default:
        return true;
    }
}

struct Endpoint {
    std::string shown;      // scheme://host[:port], no credentials, no path
    bool implicit_tls = false;
    bool loopback = false;
    bool has_path = false;  // the URL names the EHLO domain itself
};

Result<Endpoint> parse_endpoint(const std::string& url)
{
    CURLU* u = curl_url();
    if (u == nullptr) {
        return fail(ErrorCode::internal, "out of memory");
    }
    auto text = [u](CURLUPart part) {
        char* value = nullptr;
        std::string out;
        if (curl_url_get(u, part, &value, 0) == CURLUE_OK && value != nullptr) {
            out = value;
        }
        curl_free(value);
        return out;
    };
    Endpoint endpoint;
    std::string scheme;
    std::string host;
    bool parsed = curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK;
    if (parsed) {
        scheme = text(CURLUPART_SCHEME);
        host = text(CURLUPART_HOST);
        std::string port = text(CURLUPART_PORT);
        std::string path = text(CURLUPART_PATH);
        endpoint.shown = scheme + "://" + host + (port.empty() ? "" : ":" + port);
        endpoint.has_path = !path.empty() && path != "/";
        parsed = text(CURLUPART_QUERY).empty() && text(CURLUPART_FRAGMENT).empty();
    }
    curl_url_cleanup(u);
    if (!parsed || (scheme != "smtp" && scheme != "smtps") || host.empty()) {
        // Not echoed whole: it may hold credentials.
        return fail(ErrorCode::config, "mail.smtp_url: expected smtp://host[:port] or smtps://host[:port]");
    }
    endpoint.implicit_tls = scheme == "smtps";
    endpoint.loopback = is_loopback(host);
    return endpoint;
}

std::string replace_all(std::string text, std::string_view what, std::string_view with)
{
    if (what.empty()) {
        return text;
    }
    for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size())) {
        text.replace(pos, what.size(), with);
    }
    return text;
}

class SmtpSender final : public Sender {
public:
    explicit SmtpSender(SmtpSettings settings) : m_settings(std::move(settings))
    {
        m_endpoint = parse_endpoint(m_settings.url);
        if (m_endpoint && m_curl.get() != nullptr) {
            configure();
        }
    }

    Result<std::string> send(const Message& message, const std::string& rendered, const std::string&) override
    {
        if (auto checked = check_message(message); !checked) {
            return tl::unexpected(checked.error());
        }
        if (!m_endpoint) {
            return tl::unexpected(m_endpoint.error());
        }
        if (m_curl.get() == nullptr) {
            return fail(ErrorCode::internal, "cannot start libcurl");
        }
        CURL* h = m_curl.get();
        std::string from = parse_mailbox(message.from).address;
        std::vector<std::string> recipients;
        for (const auto& to : message.to) {
            recipients.push_back(parse_mailbox(to).address);
        }
        if (!m_curl.set_recipients(recipients)) {
            return fail(ErrorCode::internal, "out of memory");
        }
        std::string mail_from = "<" + from + ">";
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
        std::string url = m_settings.url;
        std::string domain = from.substr(from.rfind('@') + 1);
        if (!m_endpoint->has_path && !domain.starts_with("[")) {
            // EHLO names the sender's domain rather than curl's default "localhost".
            while (!url.empty() && url.back() == '/') {
                url.pop_back();
            }
            url += "/" + domain;
        }
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(rendered.size()));

        int attempts = 1 + std::max(0, m_settings.retries);
        auto wait = std::chrono::milliseconds(std::max(0L, m_settings.backoff_ms));
        for (int attempt = 1;; ++attempt) {
            m_upload = Upload{rendered, 0};
            m_error[0] = '\0';
            m_last_reply.clear();
            CURLcode rc = curl_easy_perform(h);
            if (rc == CURLE_OK) {
                return std::string("smtp");
            }
            long reply = 0;
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
            if (reply < 400 && m_upload.pos == rendered.size() && !rendered.empty()) {
                // The whole message went up and no refusal came back (a time-out or a dropped
                // connection while the server answered DATA): it may have been queued, so it
                // is not sent again.
                return fail(ErrorCode::unavailable,
                            std::string(k_unknown) + describe(rc, reply, true, attempt).substr(k_temporary.size()));
            }
            bool temporary = is_temporary_failure(rc, reply);
            if (!temporary || attempt >= attempts) {
                return fail(ErrorCode::unavailable, describe(rc, reply, temporary, attempt));
            }
            std::this_thread::sleep_for(wait);
            wait *= 2;
        }
    }

private:
    void configure()
    {
        CURL* h = m_curl.get();
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, m_error);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // to the callback only: the server's replies
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, &m_last_reply);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(h, CURLOPT_READDATA, &m_upload);
        long timeout = std::max(1L, m_settings.timeout_seconds);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, std::min(timeout, k_max_connect_seconds));
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!m_settings.ca_bundle.empty()) {
            curl_easy_setopt(h, CURLOPT_CAINFO, m_settings.ca_bundle.c_str());
        }
        bool credentials = !m_settings.username.empty();
        if (credentials) {
            curl_easy_setopt(h, CURLOPT_USERNAME, m_settings.username.c_str());
            curl_easy_setopt(h, CURLOPT_PASSWORD, m_settings.password.c_str());
        }
        // smtp:// takes STARTTLS whenever offered; it must, before credentials leave this machine.
        bool require_tls = m_endpoint->implicit_tls || (credentials && !m_endpoint->loopback);
        curl_easy_setopt(h, CURLOPT_USE_SSL, require_tls ? static_cast<long>(CURLUSESSL_ALL)
                                                         : static_cast<long>(CURLUSESSL_TRY));
    }

    std::string describe(CURLcode rc, long reply, bool temporary, int attempts) const
    {
        std::string detail = m_error[0] != '\0' ? std::string(m_error) : std::string(curl_easy_strerror(rc));
        while (!detail.empty() && (detail.back() == '.' || detail.back() == '\n')) {
            detail.pop_back();
        }
        if (reply >= 400) {
            std::string code = std::to_string(reply);
            std::string said = m_last_reply.starts_with(code) ? m_last_reply : code;
            detail = m_error[0] != '\0' ? fmt::format("server replied \"{}\" ({})", said, detail)
                                        : fmt::format("server replied \"{}\"", said);
        }
        if (rc == CURLE_USE_SSL_FAILED) {
            detail += "; the server offers no STARTTLS, and credentials are not sent in the clear";
        }
        std::string text = fmt::format("{} at {}{}: {}", temporary ? k_temporary : k_permanent, m_endpoint->shown,
                                       attempts > 1 ? fmt::format(" after {} attempts", attempts) : "", detail);
        // Nothing above carries the password; this only makes sure (a short one would mangle codes).
        return m_settings.password.size() < 4 ? text : replace_all(std::move(text), m_settings.password, "***");
    }

    SmtpSettings m_settings;
    Result<Endpoint> m_endpoint;
    Curl m_curl;
    Upload m_upload;
    std::string m_last_reply;
    char m_error[CURL_ERROR_SIZE] = {};
};

}  // namespace

std::unique_ptr<Sender> smtp_sender(SmtpSettings settings)
{
    global_init();
    return std::make_unique<SmtpSender>(std::move(settings));
}

bool is_unknown_outcome(const Error& error)
{
    return error.code == ErrorCode::unavailable && error.message.starts_with(k_unknown);
}

bool is_temporary(const Error& error)
{
    return error.code == ErrorCode::unavailable && error.message.starts_with(k_temporary);
}

}  // namespace billrun::mail
