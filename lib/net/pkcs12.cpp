// PKCS#12 with OpenSSL 3: the MAC checked first (a wrong password is told apart from a broken
// file), then the key, the leaf and any chain.
#include <billrun/net/pkcs12.hpp>

#include <fstream>
#include <iterator>
#include <mutex>

#include <fmt/format.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

namespace billrun::net {

namespace {

std::string openssl_reason()
{
    unsigned long code = ERR_peek_last_error();
    char text[256] = {0};
    if (code != 0) {
        ERR_error_string_n(code, text, sizeof(text));
    }
    ERR_clear_error();
    return text;
}

}  // namespace

void load_openssl_providers()
{
    static std::once_flag once;
    std::call_once(once, [] {
        static OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(nullptr, "legacy");
        static OSSL_PROVIDER* fallback = OSSL_PROVIDER_load(nullptr, "default");
        (void)legacy;
        (void)fallback;
        ERR_clear_error();
    });
}

Result<std::shared_ptr<const Pkcs12Identity>> Pkcs12Identity::load(const std::filesystem::path& path,
                                                                   std::string_view password, std::string_view key_name)
{
    load_openssl_providers();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::config, fmt::format("{}: cannot read the certificate ({})", path.string(), key_name));
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    PKCS12* p12 = d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size()));
    if (p12 == nullptr) {
        ERR_clear_error();
        return fail(ErrorCode::config, fmt::format("{}: not a PKCS#12 certificate file ({})", path.string(), key_name));
    }
    std::string pass(password);
    EVP_PKEY* key = nullptr;
    X509* leaf = nullptr;
    STACK_OF(X509)* chain = nullptr;
    bool mac_ok = PKCS12_verify_mac(p12, pass.c_str(), static_cast<int>(pass.size())) == 1;
    int parsed = mac_ok ? PKCS12_parse(p12, pass.c_str(), &key, &leaf, &chain) : 0;
    PKCS12_free(p12);
    OPENSSL_cleanse(pass.data(), pass.size());
    if (!mac_ok) {
        ERR_clear_error();
        return fail(ErrorCode::config,
                    fmt::format("{}: wrong certificate password, or not a PKCS#12 file ({})", path.string(), key_name));
    }
    if (parsed != 1) {
        return fail(ErrorCode::config,
                    fmt::format("{}: the certificate cannot be decrypted ({})", path.string(), openssl_reason()));
    }
    std::shared_ptr<Pkcs12Identity> out(new Pkcs12Identity());
    out->m_key = key;
    out->m_leaf = leaf;
    out->m_chain = chain;
    if (key == nullptr || leaf == nullptr) {
        return fail(ErrorCode::config, fmt::format("{}: holds no private key and certificate", path.string()));
    }
    if (X509_check_private_key(leaf, key) != 1) {
        ERR_clear_error();
        return fail(ErrorCode::config,
                    fmt::format("{}: the private key does not belong to the certificate", path.string()));
    }
    return std::shared_ptr<const Pkcs12Identity>(std::move(out));
}

Pkcs12Identity::~Pkcs12Identity()
{
    EVP_PKEY_free(static_cast<EVP_PKEY*>(m_key));
    X509_free(static_cast<X509*>(m_leaf));
    sk_X509_pop_free(static_cast<STACK_OF(X509)*>(m_chain), X509_free);
}

std::string Pkcs12Identity::subject() const
{
    char buf[512] = {0};
    X509_NAME_oneline(X509_get_subject_name(static_cast<X509*>(m_leaf)), buf, sizeof(buf));
    return buf;
}

}  // namespace billrun::net
