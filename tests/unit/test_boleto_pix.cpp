#include <billrun/boleto/pix.hpp>

#include <billrun/core/money.hpp>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>
#include <vector>

using namespace billrun;
using namespace billrun::boleto;

namespace {

YAML::Node pix_vector(const std::string& kind)
{
    const YAML::Node root = YAML::LoadFile(std::string(BILLRUN_REFERENCE_DIR) + "/boleto/vectors.yaml");
    for (const auto& vector : root["pix"]) {
        if (vector["kind"].as<std::string>() == kind) {
            return vector;
        }
    }
    FAIL("no pix vector " << kind);
    return {};
}

// Top-level EMV fields in order; an empty list when the lengths do not add up.
std::vector<std::pair<std::string, std::string>> parse_tlv(const std::string& payload)
{
    std::vector<std::pair<std::string, std::string>> fields;
    std::size_t at = 0;
    while (at + 4 <= payload.size()) {
        const std::size_t length = std::stoul(payload.substr(at + 2, 2));
        if (at + 4 + length > payload.size()) {
            return {};
        }
        fields.emplace_back(payload.substr(at, 2), payload.substr(at + 4, length));
        at += 4 + length;
    }
    if (at != payload.size()) {
        return {};
    }
    return fields;
}

std::string field(const std::string& payload, const std::string& id)
{
    for (const auto& [key, value] : parse_tlv(payload)) {
        if (key == id) {
            return value;
        }
    }
    return "<absent>";
}

bool crc_ok(const std::string& payload)
{
    return payload.size() > 8 && payload.compare(payload.size() - 8, 4, "6304") == 0
        && crc16_ccitt(payload.substr(0, payload.size() - 4)) == payload.substr(payload.size() - 4);
}

}  // namespace

TEST_CASE("crc16_ccitt")
{
    CHECK(crc16_ccitt("123456789") == "29B1");  // the CRC-16/CCITT-FALSE check value
    CHECK(crc16_ccitt("") == "FFFF");
    SECTION("the vectors' CRCs")
    {
        CHECK(crc_ok(pix_vector("pix_copia_e_cola_static")["expected"].as<std::string>()));
        CHECK(crc_ok(pix_vector("pix_boleto_hibrido_santander")["expected"].as<std::string>()));
    }
}

TEST_CASE("pix_payload")
{
    SECTION("laravel boleto híbrido Santander, byte for byte")
    {
        const YAML::Node v = pix_vector("pix_boleto_hibrido_santander");
        const YAML::Node in = v["inputs"];
        PixCharge charge;
        charge.key = in["chave"].as<std::string>();
        charge.amount = parse_money(in["valor"].as<std::string>());
        charge.txid = in["id_txid"].as<std::string>();
        charge.merchant_name = in["beneficiario_nome"].as<std::string>();
        charge.merchant_city = in["cidade"].as<std::string>();
        CHECK(pix_payload(charge) == v["expected"].as<std::string>());
    }
    SECTION("laravel copia e cola: byte for byte but the amount's form")
    {
        // laravel passed the PHP float 100.00, which PHP prints as "100" (5403100); the
        // BR Code takes two decimals, as the other vector shows (5406100.00). The rest of
        // the payload must match byte for byte, with the CRC recomputed.
        const YAML::Node v = pix_vector("pix_copia_e_cola_static");
        const YAML::Node in = v["inputs"];
        PixCharge charge;
        charge.key = in["chave"].as<std::string>();
        charge.amount = parse_money(in["valor"].as<std::string>());
        charge.txid = in["txid"].as<std::string>();
        charge.merchant_name = in["nome"].as<std::string>();
        charge.merchant_city = in["cidade"].as<std::string>();

        const std::string expected = v["expected"].as<std::string>();
        std::string two_decimals = expected.substr(0, expected.size() - 4);
        const auto at = two_decimals.find("5403100");
        REQUIRE(at != std::string::npos);
        two_decimals.replace(at, 7, "5406100.00");
        two_decimals += crc16_ccitt(two_decimals);

        const std::string payload = pix_payload(charge);
        CHECK(payload == two_decimals);
        CHECK(parse_money(field(payload, "54")) == parse_money(field(expected, "54")));
        const auto ours = parse_tlv(payload);
        const auto theirs = parse_tlv(expected);
        REQUIRE(ours.size() == theirs.size());
        for (std::size_t i = 0; i + 1 < ours.size(); ++i) {
            CHECK(ours[i].first == theirs[i].first);
            if (ours[i].first != "54") {
                CHECK(ours[i].second == theirs[i].second);
            }
        }
    }
    SECTION("no amount: no field 54, reusable (11)")
    {
        PixCharge charge{"teste@teste.com", std::nullopt, "ACME", "CIDADE", ""};
        const std::string payload = pix_payload(charge);
        CHECK(payload.rfind("00020101021126", 0) == 0);
        CHECK(field(payload, "54") == "<absent>");
        CHECK(field(payload, "62") == "0503***");
        CHECK(crc_ok(payload));
    }
    SECTION("names without accents, upper case, clipped")
    {
        PixCharge charge{"12345678909", 123456, "Padaria São João do Café Ltda ME", "São Paulo - Capital",
                         "ABC123"};
        const std::string payload = pix_payload(charge);
        CHECK(field(payload, "59") == "PADARIA SAO JOAO DO CAFE");  // 25, trailing space trimmed
        CHECK(field(payload, "60") == "SAO PAULO - CAP");
        CHECK(field(payload, "54") == "1234.56");
        CHECK(field(payload, "26") == "0014br.gov.bcb.pix011112345678909");
        CHECK(field(payload, "62") == "0506ABC123");
        CHECK(crc_ok(payload));
    }
}
