#pragma once
// The A1 certificate (PKCS#12, the legacy RC2-40 encryption included) and enveloped XMLDSig
// with xmlsec1 over OpenSSL, as the national NFS-e and ABRASF ask: Signature (no prefix) the
// sibling after the signed element (for the DPS, the last child of the root), Reference URI="#Id" to the signed element, enveloped + C14N transforms, the
// leaf certificate alone in KeyInfo/X509Data, no line breaks anywhere.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <billrun/core/error.hpp>
#include <billrun/net/pkcs12.hpp>

namespace billrun::nfse {

enum class SignatureProfile {
    rsa_sha1,    // RSA-SHA1, SHA-1 digest, inclusive C14N 1.0 (the national manual, §6.1.4)
    rsa_sha256,  // RSA-SHA256, SHA-256 digest, exclusive C14N
};

// The A1 certificate: the PKCS#12 identity of lib/net (the TLS client certificate too).
using Certificate = net::Pkcs12Identity;

// Initialises xmlsec1 once per process and shuts it down with the last Signer.
class Signer {
public:
    // Errors: internal (xmlsec1 cannot start).
    static Result<std::unique_ptr<Signer>> create(std::shared_ptr<const Certificate> certificate,
                                                  SignatureProfile profile);
    ~Signer();
    Signer(const Signer&) = delete;
    Signer& operator=(const Signer&) = delete;

    // Signs the first element named `element` (local name, e.g. "infDPS"; depth first) of the
    // document, whose Id attribute the reference names: the Signature becomes the last child
    // of that element's parent. Returns the signed bytes. Thread-safe.
    // Errors: data_invalid (not XML, no such element or Id), internal (xmlsec1 failed).
    Result<std::string> sign(std::string_view xml, std::string_view element) const;
    // The same on a parsed xmlDocPtr (lib/nfse), signed in place.
    Result<void> sign_document(void* doc, std::string_view element) const;

private:
    Signer(std::shared_ptr<const Certificate> certificate, SignatureProfile profile);
    std::shared_ptr<const Certificate> m_certificate;
    SignatureProfile m_profile;
    void* m_key = nullptr;  // xmlSecKeyPtr, duplicated for each signature
};

}  // namespace billrun::nfse
