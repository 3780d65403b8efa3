#include <billrun/core/tax_id.hpp>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <string>

using namespace billrun;

TEST_CASE("parse_tax_id")
{
    std::string why;
    SECTION("CPF with or without punctuation")
    {
        const auto id = parse_tax_id("529.982.247-25", &why);
        REQUIRE(id);
        CHECK(id->kind == TaxIdKind::cpf);
        CHECK(id->value == "52998224725");
        CHECK(parse_tax_id("52998224725"));
        CHECK(parse_tax_id(" 111.444.777-35 "));
        CHECK(parse_tax_id("012.345.678-90"));
    }
    SECTION("numeric CNPJ")
    {
        const auto id = parse_tax_id("11.222.333/0001-81", &why);
        REQUIRE(id);
        CHECK(id->kind == TaxIdKind::cnpj);
        CHECK(id->value == "11222333000181");
        CHECK(parse_tax_id("12345678000195"));
        CHECK(parse_tax_id("00.000.000/0001-91"));
    }
    SECTION("alphanumeric CNPJ, lower case accepted")
    {
        const auto id = parse_tax_id("12.abc.345/01de-35", &why);
        REQUIRE(id);
        CHECK(id->kind == TaxIdKind::cnpj);
        CHECK(id->value == "12ABC34501DE35");
        CHECK(parse_tax_id("ABCDEFGHIJKL80"));
    }
    SECTION("wrong check digits")
    {
        CHECK_FALSE(parse_tax_id("529.982.247-26", &why));
        CHECK(why == "CPF check digits do not match");
        CHECK_FALSE(parse_tax_id("11.222.333/0001-82", &why));
        CHECK(why == "CNPJ check digits do not match");
        CHECK_FALSE(parse_tax_id("12.ABC.345/01DE-36", &why));
        CHECK(why == "CNPJ check digits do not match");
    }
    SECTION("all digits equal")
    {
        CHECK_FALSE(parse_tax_id("111.111.111-11", &why));
        CHECK(why == "CPF with all digits equal");
        CHECK_FALSE(parse_tax_id("000.000.000-00", &why));
        CHECK_FALSE(parse_tax_id("00.000.000/0000-00", &why));
        CHECK(why == "CNPJ with all characters equal");
        CHECK_FALSE(parse_tax_id("11111111111111"));
    }
    SECTION("wrong length")
    {
        CHECK_FALSE(parse_tax_id("1234567890", &why));
        CHECK(why == "expected 11 (CPF) or 14 (CNPJ) characters");
        CHECK_FALSE(parse_tax_id("1234567800019", &why));
        CHECK(why == "expected 11 (CPF) or 14 (CNPJ) characters");
        CHECK_FALSE(parse_tax_id("123456780001950", &why));
        CHECK(why == "expected 11 (CPF) or 14 (CNPJ) characters");
        CHECK_FALSE(parse_tax_id("", &why));
        CHECK(why == "empty CPF/CNPJ");
        CHECK_FALSE(parse_tax_id(" ./- ", &why));
        CHECK(why == "empty CPF/CNPJ");
    }
    SECTION("bad characters")
    {
        CHECK_FALSE(parse_tax_id("529,982,247-25", &why));
        CHECK(why.find("invalid character") != std::string::npos);
        CHECK_FALSE(parse_tax_id("5299822472\xC3\xA9", &why));
        CHECK_FALSE(parse_tax_id("5299822472A", &why));
        CHECK(why == "a CPF has digits only");
        CHECK_FALSE(parse_tax_id("12ABC34501DEAB", &why));
        CHECK(why == "CNPJ check digits must be numeric");
    }
    SECTION("why is optional")
    {
        CHECK_FALSE(parse_tax_id("123"));
        CHECK(parse_tax_id("52998224725"));
    }
}

TEST_CASE("valid_cpf")
{
    SECTION("valid")
    {
        CHECK(valid_cpf("52998224725"));
        CHECK(valid_cpf("11144477735"));
        CHECK(valid_cpf("12345678909"));
        CHECK(valid_cpf("98765432100"));  // both check digits 0
        CHECK(valid_cpf("00000000191"));
    }
    SECTION("invalid")
    {
        CHECK_FALSE(valid_cpf("52998224724"));
        CHECK_FALSE(valid_cpf("52998224735"));
        CHECK_FALSE(valid_cpf("11111111111"));
        CHECK_FALSE(valid_cpf("99999999999"));
        CHECK_FALSE(valid_cpf("5299822472"));
        CHECK_FALSE(valid_cpf("529.982.247-25"));
        CHECK_FALSE(valid_cpf(""));
    }
}

TEST_CASE("valid_cnpj")
{
    SECTION("numeric")
    {
        CHECK(valid_cnpj("11222333000181"));
        CHECK(valid_cnpj("12345678000195"));
        CHECK(valid_cnpj("00000000000191"));
        CHECK_FALSE(valid_cnpj("11222333000180"));
        CHECK_FALSE(valid_cnpj("00000000000000"));
    }
    SECTION("alphanumeric (IN RFB 2.229/2024)")
    {
        CHECK(valid_cnpj("12ABC34501DE35"));
        CHECK(valid_cnpj("ABCDEFGHIJKL80"));
        CHECK_FALSE(valid_cnpj("12ABC34501DE36"));
        CHECK_FALSE(valid_cnpj("12ABC34501DEA5"));  // check digits stay numeric
        CHECK_FALSE(valid_cnpj("12AB#34501DE35"));
    }
    SECTION("length")
    {
        CHECK_FALSE(valid_cnpj("1222333000181"));
        CHECK_FALSE(valid_cnpj("11.222.333/0001-81"));
        CHECK_FALSE(valid_cnpj(""));
    }
    SECTION("reference vectors")
    {
        // /work/shared/reference/boleto/vectors.yaml, section `cnpj:` (FACTS.md §2.8).
        const YAML::Node vectors =
            YAML::LoadFile(std::string(BILLRUN_REFERENCE_DIR) + "/boleto/vectors.yaml");
        const YAML::Node cases = vectors["cnpj"];
        REQUIRE(cases.IsSequence());
        REQUIRE(cases.size() >= 3);
        for (const auto& entry : cases) {
            const auto value = entry["value"].as<std::string>();
            const bool valid = entry["valid"].as<bool>();
            INFO(value);
            std::string why;
            const auto id = parse_tax_id(value, &why);
            CHECK(id.has_value() == valid);
            if (id) {
                CHECK(id->kind == TaxIdKind::cnpj);
                CHECK(valid_cnpj(id->value));
                CHECK(format_tax_id(*id) == value);
            } else {
                CHECK_FALSE(why.empty());
            }
        }
    }
}

TEST_CASE("format_tax_id")
{
    SECTION("CPF")
    {
        CHECK(format_tax_id(TaxId{TaxIdKind::cpf, "12345678909"}) == "123.456.789-09");
    }
    SECTION("CNPJ")
    {
        CHECK(format_tax_id(TaxId{TaxIdKind::cnpj, "11222333000181"}) == "11.222.333/0001-81");
        CHECK(format_tax_id(TaxId{TaxIdKind::cnpj, "12ABC34501DE35"}) == "12.ABC.345/01DE-35");
    }
    SECTION("round trip through parse")
    {
        const auto id = parse_tax_id("52998224725");
        REQUIRE(id);
        CHECK(format_tax_id(*id) == "529.982.247-25");
    }
    SECTION("unnormalised values come back unchanged")
    {
        CHECK(format_tax_id(TaxId{TaxIdKind::cpf, "123"}) == "123");
    }
}
