#pragma once
// The Sefin Nacional API (Swagger copies in ../shared/reference/nfse/samples/nacional/api/):
// POST /nfse with {"dpsXmlGZipB64": ...}, GET /dps/{Id}, GET /nfse/{chave}, and the events:
// POST /nfse/{chave}/eventos with {"pedidoRegistroEventoXmlGZipB64": ...} and
// GET /nfse/{chave}/eventos/{tipoEvento}/{numSeqEvento}; mutual TLS with
// the A1 certificate, the server always verified, bounded timeouts, transient failures
// (timeouts, 5xx, 429) retried with backoff. And the pure pieces: gzip, base64, the JSON
// answers (keys in any case).
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/base64.hpp>
#include <billrun/core/error.hpp>
#include <billrun/nfse/sign.hpp>

namespace billrun::nfse {

std::string gzip(std::string_view bytes);
// data_invalid when the input is not a gzip (or zlib) stream.
Result<std::string> gunzip(std::string_view bytes);
using billrun::base64_decode;  // core/base64: the bodies' gzipped XML
using billrun::base64_encode;

// {"dpsXmlGZipB64":"<base64 of the gzipped bytes>"}
std::string dps_post_body(std::string_view signed_xml);
// {"pedidoRegistroEventoXmlGZipB64":"<base64 of the gzipped bytes>"}
std::string event_post_body(std::string_view signed_xml);

struct ApiError {
    std::string code;     // "E0014"
    std::string message;  // the description, with the complement when there is one
};

struct ApiAnswer {
    long status = 0;            // HTTP status
    std::string access_key;     // chaveAcesso
    std::string nfse_xml;       // nfseXmlGZipB64, decoded: the bytes as the authority sent them
    std::string event_xml;      // eventoXmlGZipB64, decoded likewise
    std::vector<ApiError> errors;
    bool has_error(std::string_view code) const;
    std::string error_summary() const;  // "E0001: ...; E0002: ..."
};

// Reads an answer body. Keys are matched whatever their case (the Swagger says `erros`,
// `codigo`, `descricao`; real answers say `Codigo`, `Descricao`); errors may come as a list
// (`erros`), one object (`erro`) or a top-level list. data_invalid when the body is not JSON
// or its nfseXmlGZipB64 or eventoXmlGZipB64 does not decode.
Result<ApiAnswer> parse_answer(long status, std::string_view body);

// The NFS-e number (infNFSe/nNFSe) of a returned NFS-e, parsed without external entities.
Result<std::string> nfse_number(std::string_view nfse_xml);

struct Transport {
    std::string endpoint;               // https://.../SefinNacional, no trailing slash needed
    std::filesystem::path ca_bundle;    // added to the system's CAs
    int timeout_seconds = 60;           // each request, in total
    int retries = 3;                    // attempts after the first, for transient failures
    std::chrono::milliseconds backoff{500};  // first wait; doubles, at most 8 s (Retry-After wins, to 30 s)
};

class SefinClient {
public:
    // Errors: config (an endpoint that is not https, a ca_bundle that cannot be read).
    static Result<std::unique_ptr<SefinClient>> create(const Transport& transport,
                                                       std::shared_ptr<const Certificate> certificate);
    ~SefinClient();
    SefinClient(const SefinClient&) = delete;
    SefinClient& operator=(const SefinClient&) = delete;

    // Each returns the authority's answer (any HTTP status other than 5xx and 429), or
    // ErrorCode::unavailable when no answer came after the retries (or TLS failed: an
    // untrusted server is never retried) — the message says why.
    Result<ApiAnswer> send_dps(std::string_view signed_xml);
    Result<ApiAnswer> find_dps(std::string_view dps_id);
    Result<ApiAnswer> get_nfse(std::string_view access_key);
    Result<ApiAnswer> send_event(std::string_view access_key, std::string_view signed_xml);
    Result<ApiAnswer> find_event(std::string_view access_key, std::string_view type, int sequence);

private:
    SefinClient() = default;
    Result<ApiAnswer> call(const char* method, const std::string& path, std::string_view body);
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace billrun::nfse
