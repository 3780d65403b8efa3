// The wire format of the Sefin Nacional API: gzip, base64, answers with keys in any case.
#include <billrun/nfse/sefin.hpp>

#include <catch2/catch.hpp>

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

}  // namespace

TEST_CASE("nfse::base64")
{
    // RFC 4648 §10
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_decode("Zm9vYmFy").value() == "foobar");
    CHECK(base64_decode("Zm9v\nYmE=").value() == "fooba");
    CHECK_FALSE(base64_decode("Zm9v*"));
}

TEST_CASE("nfse::gzip")
{
    std::string xml = sample("generated/billrun__dps_v1.01_signed-rsa-sha1-c14n.xml");
    std::string packed = gzip(xml);
    CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
    CHECK(gunzip(packed).value() == xml);
    CHECK_FALSE(gunzip("not gzip"));
    CHECK_FALSE(gunzip(packed.substr(0, packed.size() / 2)));
}

TEST_CASE("nfse::dps_post_body")
{
    // The reference request body is the same signed DPS, gzipped and in base64.
    std::string xml = sample("generated/billrun__dps_v1.01_signed-rsa-sha1-c14n.xml");
    auto reference = parse_answer(201, sample("nacional/api/billrun__POST_nfse_request_body.json"));
    REQUIRE(reference);
    std::string body = dps_post_body(xml);
    CHECK(body.rfind(R"({"dpsXmlGZipB64":"H4sI)", 0) == 0);
    auto start = body.find(":\"") + 2;
    CHECK(gunzip(base64_decode(body.substr(start, body.size() - start - 2)).value()).value() == xml);
}

TEST_CASE("nfse::parse_answer")
{
    SECTION("201: the access key and the NFS-e, decoded")
    {
        auto a = parse_answer(201, sample("nacional/api/billrun-mock__POST_nfse_HTTP201.json"));
        REQUIRE(a);
        CHECK(a->access_key == "41055082212345678901234000000000000026010000000000");
        CHECK(a->nfse_xml.rfind("<NFSe xmlns=\"http://www.sped.fazenda.gov.br/nfse\"", 0) == 0);
        CHECK(a->errors.empty());
    }
    SECTION("errors with capitalised keys (real answers)")
    {
        auto a = parse_answer(500, sample("nacional/api/pynfse-test__POST_nfse_HTTP500_E999.json"));
        REQUIRE(a);
        REQUIRE(a->errors.size() == 1);
        CHECK(a->errors[0].code == "E999");
        CHECK(a->errors[0].message == "Erro não catalogado");
        auto b = parse_answer(400, sample("nacional/api/poc-nfse-nacional-issue2__POST_nfse_RNG9999.json"));
        REQUIRE(b);
        CHECK(b->has_error("RNG9999"));
        CHECK(b->error_summary() == "RNG9999: Erro não catalogado. (Ocorreu um erro inesperado.)");
        auto c = parse_answer(400, sample("nacional/api/nfse-php-issue34__POST_nfse_E0713_fragment.json"));
        REQUIRE(c);
        CHECK(c->has_error("E0713"));
    }
    SECTION("lower-case keys (the Swagger), one object under erro, a bare list")
    {
        auto a = parse_answer(400, R"({"erros":[{"codigo":"E0014","descricao":"DPS já existe"}]})");
        REQUIRE(a);
        CHECK(a->has_error("E0014"));
        auto b = parse_answer(404, R"({"erro":{"Codigo":"E404","Descricao":"não encontrada"}})");
        REQUIRE(b);
        CHECK(b->has_error("E404"));
        auto c = parse_answer(400, R"([{"CODIGO":"E1","mensagem":"x"}])");
        REQUIRE(c);
        CHECK(c->error_summary() == "E1: x");
        CHECK(parse_answer(502, "")->errors.empty());
    }
    SECTION("not JSON, or an NFS-e that does not decode")
    {
        CHECK_FALSE(parse_answer(200, "<html>"));
        CHECK_FALSE(parse_answer(201, R"({"chaveAcesso":"1","nfseXmlGZipB64":"Zm9v"})"));
    }
}

TEST_CASE("nfse::nfse_number")
{
    CHECK(nfse_number(sample("nacional/nfse-php__nfse_fixture.xml")).value() == "2");
    CHECK_FALSE(nfse_number("<NFSe/>"));
    CHECK_FALSE(nfse_number("<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x>&y;</x>"));
}
