// The Sefin Nacional API client and the pieces of its wire format.
#include <billrun/nfse/sefin.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include <billrun/net/https.hpp>

#include "xml.hpp"

namespace billrun::nfse {

namespace {

constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// A member of a JSON object whatever the case of its key.
YAML::Node member(const YAML::Node& object, std::string_view key)
{
    if (!object.IsMap()) {
        return YAML::Node();
    }
    for (const auto& kv : object) {
        if (kv.first.IsScalar() && lower(kv.first.Scalar()) == key) {
            return kv.second;
        }
    }
    return YAML::Node();
}

std::string scalar(const YAML::Node& node)
{
    return node && node.IsScalar() && node.Tag() != "tag:yaml.org,2002:null" && node.Scalar() != "null" ? node.Scalar()
                                                                                                     : std::string();
}

ApiError read_error(const YAML::Node& node)
{
    ApiError e;
    e.code = scalar(member(node, "codigo"));
    std::string text = scalar(member(node, "descricao"));
    if (text.empty()) {
        text = scalar(member(node, "mensagem"));
    }
    std::string complement = scalar(member(node, "complemento"));
    if (!complement.empty() && complement != text) {
        text = text.empty() ? complement : fmt::format("{} ({})", text, complement);
    }
    e.message = text;
    return e;
}

void read_errors(const YAML::Node& node, std::vector<ApiError>& out)
{
    if (!node) {
        return;
    }
    if (node.IsSequence()) {
        for (const auto& item : node) {
            if (item.IsMap()) {
                out.push_back(read_error(item));
            }
        }
    } else if (node.IsMap()) {
        out.push_back(read_error(node));
    }
}

std::string trim_slash(std::string s)
{
    while (!s.empty() && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

}  // namespace

std::string gzip(std::string_view bytes)
{
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out;
    out.resize(deflateBound(&z, static_cast<uLong>(bytes.size())) + 32);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

Result<std::string> gunzip(std::string_view bytes)
{
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) {  // gzip or zlib, detected
        return fail(ErrorCode::internal, "zlib cannot start");
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    std::array<char, 16384> chunk{};
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(chunk.data());
        z.avail_out = static_cast<uInt>(chunk.size());
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(chunk.data(), chunk.size() - z.avail_out);
        if (rc == Z_BUF_ERROR && z.avail_in == 0) {
            break;
        }
        if (out.size() > (64U << 20)) {
            rc = Z_MEM_ERROR;  // nothing legitimate is that large
        }
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        return fail(ErrorCode::data_invalid, "not a complete gzip stream");
    }
    return out;
}

std::string base64_encode(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
        out += k_alphabet[(n >> 18) & 63];
        out += k_alphabet[(n >> 12) & 63];
        out += k_alphabet[(n >> 6) & 63];
        out += k_alphabet[n & 63];
    }
    if (i < bytes.size()) {
        unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) {
            n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        }
        out += k_alphabet[(n >> 18) & 63];
        out += k_alphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? k_alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text)
{
    std::string out;
    out.reserve(text.size() / 4 * 3);
    unsigned buffer = 0;
    int bits = 0;
    bool padding = false;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        }
        if (c == '=') {
            padding = true;
            continue;
        }
        auto at = k_alphabet.find(c == '-' ? '+' : (c == '_' ? '/' : c));
        if (at == std::string_view::npos || padding) {
            return fail(ErrorCode::data_invalid, "not base64");
        }
        buffer = (buffer << 6) | static_cast<unsigned>(at);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

std::string dps_post_body(std::string_view signed_xml)
{
    return fmt::format(R"({{"dpsXmlGZipB64":"{}"}})", base64_encode(gzip(signed_xml)));
}

std::string event_post_body(std::string_view signed_xml)
{
    return fmt::format(R"({{"pedidoRegistroEventoXmlGZipB64":"{}"}})", base64_encode(gzip(signed_xml)));
}

bool ApiAnswer::has_error(std::string_view code) const
{
    return std::any_of(errors.begin(), errors.end(), [&](const ApiError& e) { return e.code == code; });
}

std::string ApiAnswer::error_summary() const
{
    std::string out;
    for (const auto& e : errors) {
        if (!out.empty()) {
            out += "; ";
        }
        out += e.code.empty() ? e.message : fmt::format("{}: {}", e.code, e.message);
    }
    return out;
}

Result<ApiAnswer> parse_answer(long status, std::string_view body)
{
    ApiAnswer answer;
    answer.status = status;
    std::string text(body);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        return answer;
    }
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        return fail(ErrorCode::data_invalid, fmt::format("the answer (HTTP {}) is not JSON: {}", status, e.msg));
    }
    if (root.IsSequence()) {
        read_errors(root, answer.errors);
        return answer;
    }
    if (!root.IsMap()) {
        return fail(ErrorCode::data_invalid, fmt::format("the answer (HTTP {}) is not a JSON object", status));
    }
    answer.access_key = scalar(member(root, "chaveacesso"));
    read_errors(member(root, "erros"), answer.errors);
    read_errors(member(root, "erro"), answer.errors);
    if (answer.errors.empty() && member(root, "codigo").IsScalar()) {
        answer.errors.push_back(read_error(root));  // one bare error object
    }
    for (auto [key, name, into] : {std::tuple{"nfsexmlgzipb64", "nfseXmlGZipB64", &answer.nfse_xml},
                                   std::tuple{"eventoxmlgzipb64", "eventoXmlGZipB64", &answer.event_xml}}) {
        std::string packed = scalar(member(root, key));
        if (packed.empty()) {
            continue;
        }
        auto raw = base64_decode(packed);
        auto xml = raw ? gunzip(*raw) : Result<std::string>(tl::unexpected(raw.error()));
        if (!xml) {
            return fail(ErrorCode::data_invalid, fmt::format("{} of the answer: {}", name, xml.error().message));
        }
        *into = std::move(*xml);
    }
    return answer;
}

Result<std::string> nfse_number(std::string_view nfse_xml)
{
    auto doc = parse_xml(nfse_xml, "NFS-e returned by the authority");
    if (!doc) {
        return tl::unexpected(doc.error());
    }
    xmlNodePtr root = xmlDocGetRootElement(doc->get());
    xmlNodePtr number = child_element(child_element(root, "infNFSe"), "nNFSe");
    std::string text = node_text(number);
    if (local_name(root) != "NFSe" || text.empty()) {
        return fail(ErrorCode::data_invalid, "the NFS-e returned by the authority has no infNFSe/nNFSe");
    }
    return text;
}

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
