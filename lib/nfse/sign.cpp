// PKCS#12 with OpenSSL, XMLDSig with xmlsec1 1.2.x (Debian 12). The call sequence follows
// ../shared/reference/nfse/FACTS.md §6, with its pitfalls handled: the Id registered, no
// prefix, Signature after infDPS, no line breaks, the leaf certificate alone.
#include <billrun/nfse/sign.hpp>

#include <billrun/net/pkcs12.hpp>


#include <fmt/format.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <xmlsec/base64.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>

#include "xml.hpp"

namespace billrun::nfse {

namespace {

thread_local std::string t_xmlsec_error;

void on_xmlsec_error(const char*, int, const char* func, const char* object, const char* subject, int reason,
                     const char* msg)
{
    if (!t_xmlsec_error.empty()) {
        return;
    }
    t_xmlsec_error = fmt::format("{} ({}{}{}reason {}{}{})", func != nullptr ? func : "xmlsec",
                                 object != nullptr ? object : "", object != nullptr ? ", " : "",
                                 subject != nullptr ? std::string(subject) + ", " : std::string(), reason,
                                 msg != nullptr ? ": " : "", msg != nullptr ? msg : "");
}

bool xmlsec_ready()
{
    static bool ready = [] {
        init_xml();
        net::load_openssl_providers();
        if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(nullptr) < 0 ||
            xmlSecCryptoInit() < 0) {
            return false;
        }
        xmlSecErrorsSetCallback(on_xmlsec_error);
        xmlSecBase64SetDefaultLineSize(1 << 24);  // 0 is refused by 1.2.37: a line longer than any value
        xmlSecSetDefaultLineFeed(BAD_CAST "");
        return true;
    }();
    return ready;
}

}  // namespace

Signer::Signer(std::shared_ptr<const Certificate> certificate, SignatureProfile profile)
    : m_certificate(std::move(certificate)), m_profile(profile)
{
}

Result<std::unique_ptr<Signer>> Signer::create(std::shared_ptr<const Certificate> certificate,
                                               SignatureProfile profile)
{
    if (!xmlsec_ready()) {
        return fail(ErrorCode::internal, "xmlsec1 (openssl) cannot be initialised");
    }
    t_xmlsec_error.clear();
    auto* pkey = static_cast<EVP_PKEY*>(certificate->key());
    auto* leaf = static_cast<X509*>(certificate->leaf());
    EVP_PKEY_up_ref(pkey);
    xmlSecKeyDataPtr value = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (value == nullptr) {
        EVP_PKEY_free(pkey);
        return fail(ErrorCode::config, "the certificate's key is of a kind xmlsec1 cannot sign with");
    }
    xmlSecKeyPtr key = xmlSecKeyCreate();
    if (key == nullptr || xmlSecKeySetValue(key, value) < 0) {
        xmlSecKeyDataDestroy(value);
        xmlSecKeyDestroy(key);
        return fail(ErrorCode::internal, "xmlsec1: cannot make a key");
    }
    // Only the leaf goes into X509Data (EndCertOnly): the .pfx chain stays out.
    xmlSecKeyDataPtr x509 = xmlSecKeyEnsureData(key, xmlSecOpenSSLKeyDataX509Id);
    if (x509 == nullptr || xmlSecOpenSSLKeyDataX509AdoptKeyCert(x509, X509_dup(leaf)) < 0 ||
        xmlSecOpenSSLKeyDataX509AdoptCert(x509, X509_dup(leaf)) < 0) {
        xmlSecKeyDestroy(key);
        return fail(ErrorCode::internal, "xmlsec1: cannot attach the certificate");
    }
    std::unique_ptr<Signer> signer(new Signer(std::move(certificate), profile));
    signer->m_key = key;
    return signer;
}

Signer::~Signer()
{
    if (m_key != nullptr) {
        xmlSecKeyDestroy(static_cast<xmlSecKeyPtr>(m_key));
    }
}

Result<std::string> Signer::sign(std::string_view xml, std::string_view element) const
{
    auto doc = parse_xml(xml, "document to sign");
    if (!doc) {
        return tl::unexpected(doc.error());
    }
    if (auto r = sign_document(doc->get(), element); !r) {
        return tl::unexpected(r.error());
    }
    return dump_document(doc->get());
}

Result<void> Signer::sign_document(void* raw, std::string_view element) const
{
    auto* doc = static_cast<xmlDocPtr>(raw);
    xmlNodePtr target = find_element(xmlDocGetRootElement(doc), element);
    xmlAttrPtr id_attr = target != nullptr ? xmlHasProp(target, BAD_CAST "Id") : nullptr;
    if (id_attr == nullptr) {
        return fail(ErrorCode::data_invalid, fmt::format("no <{}> with an Id to sign", element));
    }
    xmlChar* id_value = xmlNodeListGetString(doc, id_attr->children, 1);
    std::string id = id_value != nullptr ? reinterpret_cast<const char*>(id_value) : "";
    xmlFree(id_value);
    if (id.empty()) {
        return fail(ErrorCode::data_invalid, fmt::format("<{}> has an empty Id", element));
    }
    XmlErrors xml_errors;
    t_xmlsec_error.clear();
    if (xmlGetID(doc, BAD_CAST id.c_str()) == nullptr) {
        xmlAddID(nullptr, doc, BAD_CAST id.c_str(), id_attr);  // so that URI="#Id" resolves
    }
    bool sha256 = m_profile == SignatureProfile::rsa_sha256;
    xmlSecTransformId c14n = sha256 ? xmlSecTransformExclC14NId : xmlSecTransformInclC14NId;
    xmlNodePtr sig = xmlSecTmplSignatureCreate(doc, c14n, sha256 ? xmlSecTransformRsaSha256Id : xmlSecTransformRsaSha1Id,
                                               nullptr);
    if (sig == nullptr) {
        return fail(ErrorCode::internal, "xmlsec1: cannot make the signature template");
    }
    xmlAddChild(target->parent, sig);  // the last child of the signed element's parent
    std::string uri = "#" + id;
    xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, sha256 ? xmlSecTransformSha256Id : xmlSecTransformSha1Id,
                                                     nullptr, BAD_CAST uri.c_str(), nullptr);
    xmlNodePtr key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
    xmlNodePtr x509_data = key_info != nullptr ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
    if (ref == nullptr || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == nullptr ||
        xmlSecTmplReferenceAddTransform(ref, c14n) == nullptr || x509_data == nullptr ||
        xmlSecTmplX509DataAddCertificate(x509_data) == nullptr) {
        return fail(ErrorCode::internal, "xmlsec1: cannot complete the signature template");
    }
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(nullptr);
    if (ctx == nullptr) {
        return fail(ErrorCode::internal, "xmlsec1: cannot make a signature context");
    }
    ctx->signKey = static_cast<xmlSecKeyPtr>(m_key);
    int rc = xmlSecDSigCtxSign(ctx, sig);
    ctx->signKey = nullptr;  // borrowed, not the context's to destroy
    xmlSecDSigCtxDestroy(ctx);
    if (rc < 0) {
        std::string why = !t_xmlsec_error.empty() ? t_xmlsec_error : xml_errors.first();
        ERR_clear_error();
        return fail(ErrorCode::internal, fmt::format("signing failed: {}", why.empty() ? "xmlsec1 error" : why));
    }
    return {};
}

}  // namespace billrun::nfse
