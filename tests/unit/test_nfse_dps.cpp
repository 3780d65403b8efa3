// The national DPS: Id, pure helpers, the XML built and checked against the official schema.
#include <billrun/nfse/dps.hpp>
#include <billrun/nfse/xsd.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

using namespace billrun;
using namespace billrun::nfse;

namespace {

std::string sample(const std::string& path)
{
    std::ifstream in(std::string(BILLRUN_REFERENCE_DIR) + "/nfse/samples/" + path, std::ios::binary);
    REQUIRE(in);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Dps example_dps()
{
    Dps d;
    d.emitted_at = "2026-12-05T10:00:00-03:00";
    d.app_version = "billrun 0.1.0";
    d.series = "1";
    d.number = 42;
    d.competence = *Date::from_ymd(2026, 11, 1);
    d.city_code = "3550308";
    d.provider.tax_id = "11222333000181";
    d.provider.municipal_registration = "48231905";
    d.simples = 3;
    Party t;
    t.tax_id = "47291836000156";
    t.name = "Padaria & Confeitaria <São Jorge>";
    t.street = "Rua Teodoro Sampaio";
    t.district = "Pinheiros";
    t.city_code = "3550308";
    t.zip = "05406050";
    d.taker = t;
    d.service_code = "010701";
    d.description = "Suporte técnico mensal";
    d.amount = 85000;
    return d;
}

}  // namespace

TEST_CASE("nfse::dps_id")
{
    SECTION("known Ids of the reference samples")
    {
        // nfse-php dps_example (CNPJ), ExemploPrestadorPessoaFisica (CPF), billrun's generated sample
        CHECK(dps_id("1505486", "44827692000111", "900", 31).value() ==
              "DPS150548624482769200011100900000000000000031");
        CHECK(dps_id("2314003", "06672992383", "00001", 46).value() ==
              "DPS231400310000667299238300001000000000000046");
        CHECK(dps_id("4105508", "12345678901234", "3", 52).value() ==
              "DPS410550821234567890123400003000000000000052");
        for (const char* file : {"nacional/nfse-php__dps_v1.00_example_emissorweb.xml",
                                 "nacional/nfse-php__dps_unsigned_ExemploPrestadorPessoaFisica.xml"}) {
            std::string xml = sample(file);
            CHECK((xml.find(dps_id("1505486", "44827692000111", "900", 31).value()) != std::string::npos ||
                   xml.find(dps_id("2314003", "06672992383", "1", 46).value()) != std::string::npos));
        }
    }
    SECTION("45 characters whatever the number")
    {
        CHECK(dps_id("3550308", "11222333000181", "1", 1).value().size() == 45);
        CHECK(dps_id("3550308", "11222333000181", "99999", 999999999999999LL).value().size() == 45);
    }
    SECTION("parts that do not fit")
    {
        CHECK_FALSE(dps_id("355030", "11222333000181", "1", 1));
        CHECK_FALSE(dps_id("3550308", "1122233300018", "1", 1));
        CHECK_FALSE(dps_id("3550308", "11222333000181", "123456", 1));
        CHECK_FALSE(dps_id("3550308", "11222333000181", "A", 1));
        CHECK_FALSE(dps_id("3550308", "11222333000181", "1", 0));
        CHECK_FALSE(dps_id("3550308", "11222333000181", "1", 1000000000000000LL));
    }
}

TEST_CASE("nfse::pis_cofins_retention")
{
    CHECK(pis_cofins_retention(false, false, false) == 0);
    CHECK(pis_cofins_retention(true, true, true) == 3);
    CHECK(pis_cofins_retention(true, true, false) == 4);
    CHECK(pis_cofins_retention(true, false, false) == 5);
    CHECK(pis_cofins_retention(false, true, false) == 6);
    CHECK(pis_cofins_retention(false, true, true) == 7);
    CHECK(pis_cofins_retention(false, false, true) == 8);
    CHECK(pis_cofins_retention(true, false, true) == 9);
}

TEST_CASE("nfse::simples_option")
{
    CHECK(simples_option("simples") == 3);
    CHECK(simples_option("mei") == 2);
    CHECK(simples_option("lucro-presumido") == 1);
    CHECK(simples_option("lucro-real") == 1);
}

TEST_CASE("nfse::emission_time")
{
    CHECK(emission_time("2026-12-05T16:22:12-03:00", 60).value() == "2026-12-05T16:21:12-03:00");
    SECTION("across midnight and the year")
    {
        CHECK(emission_time("2027-01-01T00:00:30-03:00", 60).value() == "2026-12-31T23:59:30-03:00");
        CHECK(emission_time("2026-03-01T00:00:00+00:00", 1).value() == "2026-02-28T23:59:59+00:00");
    }
    SECTION("no Z, no fractions: a time that is not 'with an offset' is refused")
    {
        CHECK_FALSE(emission_time("2026-12-05T16:22:12Z", 0));
        CHECK_FALSE(emission_time("2026-12-05 16:22:12-03:00", 0));
        CHECK_FALSE(emission_time("yesterday", 0));
    }
}

TEST_CASE("nfse::dps_text")
{
    CHECK(dps_text("  Rua\tdas\r\nFlores  ", 100) == "Rua das Flores");
    CHECK(dps_text("São João", 4) == "São");  // cut by characters, never inside one, never a trailing space
    CHECK(dps_text("São João", 3) == "São");
    CHECK(dps_text("a\x01" "b", 10) == "a b");
    CHECK(dps_text("", 10).empty());
}

TEST_CASE("nfse::build_dps")
{
    auto schema = DpsSchema::load();
    REQUIRE(schema);
    SECTION("no prefixes, no whitespace between tags, valid against the official XSD")
    {
        std::string xml = build_dps(example_dps());
        CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DPS xmlns=\"http://www.sped.fazenda.gov.br/nfse\" "
                        "versao=\"1.01\"><infDPS Id=\"DPS355030821122233300018100001000000000000042\"><tpAmb>2</tpAmb>",
                        0) == 0);
        CHECK(xml.find('\n', xml.find('\n') + 1) == xml.size() - 1);  // after the declaration, at the end
        CHECK(xml.find('\t') == std::string::npos);
        CHECK(xml.find("<xNome>Padaria &amp; Confeitaria &lt;São Jorge&gt;</xNome>") != std::string::npos);
        CHECK(xml.find("<tpRetISSQN>1</tpRetISSQN>") != std::string::npos);
        CHECK(xml.find("<tribFed>") == std::string::npos);
        CHECK((*schema)->validate(xml));
    }
    SECTION("ISS withheld and federal withholdings")
    {
        Dps d = example_dps();
        d.iss_withheld = true;
        d.pis = 650;
        d.cofins = 3000;
        d.irrf = 1500;
        d.inss = 1100;
        d.pis_rate = 65;
        d.cofins_rate = 300;
        std::string xml = build_dps(d);
        CHECK(xml.find("<tpRetISSQN>2</tpRetISSQN>") != std::string::npos);
        CHECK(xml.find("<piscofins><CST>01</CST><vBCPisCofins>850.00</vBCPisCofins><pAliqPis>0.65</pAliqPis>"
                       "<pAliqCofins>3.00</pAliqCofins><vPis>6.50</vPis><vCofins>30.00</vCofins>"
                       "<tpRetPisCofins>4</tpRetPisCofins></piscofins><vRetCP>11.00</vRetCP>"
                       "<vRetIRRF>15.00</vRetIRRF></tribFed>") != std::string::npos);
        CHECK((*schema)->validate(xml));
    }
    SECTION("a não optante states the taxes, never indTotTrib (E0713)")
    {
        Dps d = example_dps();
        d.simples = 1;
        d.iss = 2465;
        std::string xml = build_dps(d);
        CHECK(xml.find("<opSimpNac>1</opSimpNac><regEspTrib>0</regEspTrib>") != std::string::npos);
        CHECK(xml.find("<vTotTribMun>24.65</vTotTribMun>") != std::string::npos);
        CHECK(xml.find("indTotTrib") == std::string::npos);
        CHECK((*schema)->validate(xml));
    }
    SECTION("a CPF taker without an address")
    {
        Dps d = example_dps();
        d.taker->tax_id = "11144477735";
        d.taker->street.clear();
        std::string xml = build_dps(d);
        CHECK(xml.find("<toma><CPF>11144477735</CPF><xNome>") != std::string::npos);
        CHECK(xml.find("<end>") == std::string::npos);
        CHECK((*schema)->validate(xml));
    }
    SECTION("layout 1.00: the same elements, valid against the 1.00 schema")
    {
        auto v100 = DpsSchema::load("1.00");
        REQUIRE(v100);
        Dps d = example_dps();
        d.layout = "1.00";
        d.iss_withheld = true;
        d.pis = 650;
        d.pis_rate = 65;
        d.simples = 1;
        std::string xml = build_dps(d);
        CHECK(xml.find("<DPS xmlns=\"http://www.sped.fazenda.gov.br/nfse\" versao=\"1.00\">") != std::string::npos);
        CHECK((*v100)->validate(xml));
        CHECK_FALSE((*v100)->validate(build_dps(example_dps())));  // 1.00 takes versao 1.00 only
    }
    SECTION("the schema names the element at fault")
    {
        Dps d = example_dps();
        d.taker->street = "Rua \xe2\x9c\x93";  // outside the layout's Latin-1 range
        auto v = (*schema)->validate(build_dps(d));
        REQUIRE_FALSE(v);
        CHECK(v.error().message.find("infDPS/toma/end/xLgr") != std::string::npos);
        d = example_dps();
        d.taker->tax_id = "12ABC34501DE35";
        v = (*schema)->validate(build_dps(d));
        REQUIRE_FALSE(v);
        CHECK(v.error().message.find("toma/CNPJ") != std::string::npos);
    }
    SECTION("the reference samples validate, and a broken document does not")
    {
        CHECK((*schema)->validate(sample("generated/billrun__dps_v1.01_ibscbs_compact_unsigned.xml")));
        CHECK((*schema)->validate(sample("generated/billrun__dps_v1.01_signed-rsa-sha1-c14n.xml")));
        CHECK((*schema)->validate(sample("nacional/nfse-php__dps_unsigned_ExemploPisZeradoCofins.xml")));
        CHECK_FALSE((*schema)->validate("<DPS"));
        CHECK_FALSE((*schema)->validate(sample("nacional/nfelib__v1_0__dps-regime-normal.xml")));
    }
}
