#pragma once
// A TLS client identity (and the NFS-e signing key) from a PKCS#12 file: OpenSSL 3 with its
// legacy provider, so that the RC2-40 and 3DES encryption of many A1 files still opens.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <billrun/core/error.hpp>
#include <billrun/net/https.hpp>

namespace billrun::net {

// The key and certificates of a PKCS#12 file; the password is not kept.
class Pkcs12Identity : public ClientIdentity {
public:
    // `key` names the setting in messages ("nfse.certificate", "api.certificate"). Errors:
    // config ("cannot read", "wrong certificate password", "holds no private key"...). The
    // password never appears in a message.
    static Result<std::shared_ptr<const Pkcs12Identity>> load(const std::filesystem::path& path,
                                                              std::string_view password,
                                                              std::string_view key = "nfse.certificate");
    ~Pkcs12Identity() override;
    Pkcs12Identity(const Pkcs12Identity&) = delete;
    Pkcs12Identity& operator=(const Pkcs12Identity&) = delete;

    void* key() const override { return m_key; }      // EVP_PKEY*
    void* leaf() const override { return m_leaf; }    // X509*
    void* chain() const override { return m_chain; }  // STACK_OF(X509)*, may be null
    std::string subject() const;

private:
    Pkcs12Identity() = default;
    void* m_key = nullptr;
    void* m_leaf = nullptr;
    void* m_chain = nullptr;
};

// Loads OpenSSL's legacy and default providers, once per process (loading one by name stops
// the default one from loading by itself).
void load_openssl_providers();

}  // namespace billrun::net
