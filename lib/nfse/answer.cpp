// The pure pieces of the Sefin Nacional wire format: gzip, base64, the JSON answers and the
// NFS-e number of a returned NFS-e. No network here (the client is sefin.cpp), so the fuzz
// targets can link these alone.
#include <billrun/nfse/sefin.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include "xml.hpp"

namespace billrun::nfse {

namespace {


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

}  // namespace billrun::nfse
