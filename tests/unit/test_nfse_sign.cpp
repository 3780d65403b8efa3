// XMLDSig of the DPS: the digest of a reference sample, the shape of the signature, PKCS#12.
#include <billrun/nfse/sign.hpp>

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace billrun::nfse;

namespace {

std::string sample(const std::string& path)
{
    std::ifstream in(std::string(BILLRUN_REFERENCE_DIR) + "/nfse/samples/" + path, std::ios::binary);
    REQUIRE(in);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A throwaway self-signed A1 (RSA-2048) written as PKCS#12 with `password`.
std::filesystem::path make_pfx(const std::string& password)
{
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("billrun unit"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    PKCS12* p12 = PKCS12_create(password.c_str(), "a1", key, cert, nullptr, 0, 0, 0, 0, 0);
    auto path = std::filesystem::temp_directory_path() / "billrun-unit-a1.pfx";
    FILE* f = std::fopen(path.c_str(), "wb");
    i2d_PKCS12_fp(f, p12);
    std::fclose(f);
    PKCS12_free(p12);
    X509_free(cert);
    EVP_PKEY_free(key);
    return path;
}

std::string between(const std::string& text, const std::string& open, const std::string& close)
{
    auto a = text.find(open);
    auto b = text.find(close, a);
    return a == std::string::npos || b == std::string::npos ? std::string() : text.substr(a + open.size(), b - a - open.size());
}

}  // namespace

TEST_CASE("nfse::Certificate::load")
{
    auto path = make_pfx("1234");
    CHECK(Certificate::load(path, "1234"));
    auto wrong = Certificate::load(path, "4321");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == billrun::ErrorCode::config);
    CHECK(wrong.error().message.find("wrong certificate password") != std::string::npos);
    CHECK(wrong.error().message.find("4321") == std::string::npos);
    CHECK_FALSE(Certificate::load(path.string() + ".missing", "1234"));
    std::filesystem::remove(path);
}

TEST_CASE("nfse::Signer::sign")
{
    auto path = make_pfx("1234");
    auto certificate = Certificate::load(path, "1234");
    std::filesystem::remove(path);
    REQUIRE(certificate);
    std::string unsigned_dps = sample("generated/billrun__dps_v1.01_ibscbs_compact_unsigned.xml");

    SECTION("RSA-SHA1, inclusive C14N: the digest of the reference sample")
    {
        auto signer = Signer::create(*certificate, SignatureProfile::rsa_sha1);
        REQUIRE(signer);
        auto signed_dps = (*signer)->sign(unsigned_dps, "infDPS");
        REQUIRE(signed_dps);
        std::string reference = sample("generated/billrun__dps_v1.01_signed-rsa-sha1-c14n.xml");
        // The digest covers infDPS only, not the key: it must equal the reference's.
        CHECK(between(*signed_dps, "<DigestValue>", "</DigestValue>") == "DhslrIohowAWB2PB6ssGMvARVBY=");
        CHECK(between(*signed_dps, "<DigestValue>", "</DigestValue>") ==
              between(reference, "<DigestValue>", "</DigestValue>"));
        // The same SignedInfo as the reference, up to the digest.
        CHECK(between(*signed_dps, "<SignedInfo>", "<DigestValue>") == between(reference, "<SignedInfo>", "<DigestValue>"));
        CHECK(signed_dps->find("</infDPS><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo>") !=
              std::string::npos);
        CHECK(signed_dps->find("<KeyInfo><X509Data><X509Certificate>") != std::string::npos);
        CHECK(signed_dps->find("</X509Certificate></X509Data></KeyInfo></Signature></DPS>") != std::string::npos);
        auto newlines = std::count(signed_dps->begin(), signed_dps->end(), '\n');
        CHECK(newlines <= 2);
    }
    SECTION("RSA-SHA256, exclusive C14N: the digest of the reference sample")
    {
        auto signer = Signer::create(*certificate, SignatureProfile::rsa_sha256);
        REQUIRE(signer);
        auto signed_dps = (*signer)->sign(unsigned_dps, "infDPS");
        REQUIRE(signed_dps);
        CHECK(between(*signed_dps, "<DigestValue>", "</DigestValue>") ==
              "pkHZOWWZ+yONKQ5SS7GxnhkfusqXETTdxe9LLAZd5tA=");
        CHECK(signed_dps->find("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") != std::string::npos);
    }
    SECTION("no element to sign")
    {
        auto signer = Signer::create(*certificate, SignatureProfile::rsa_sha1);
        REQUIRE(signer);
        CHECK_FALSE((*signer)->sign("<DPS xmlns=\"http://www.sped.fazenda.gov.br/nfse\"/>", "infDPS"));
        CHECK_FALSE((*signer)->sign("not xml", "infDPS"));
    }
}
