// Sicoob Cobrança Bancária v3's wire mapping (lib/bankapi/providers/sicoob_cobranca_v3.hpp),
// with the movement file example of Sicoob's own specification as a known vector.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "../../lib/bankapi/json.hpp"
#include "../../lib/bankapi/providers/sicoob_cobranca_v3.hpp"

using namespace billrun;
using namespace billrun::bankapi;

namespace {

config::BankAccount account()
{
    config::BankAccount a;
    a.bank = "756";
    a.agency = "3066";
    a.account = "142220";
    a.account_digit = "7";
    a.convenio = "189189";
    a.carteira = "1";
    return a;
}

// The `arquivo` example of GET /boletos/movimentacoes/download in the spec.
std::string spec_movement_example()
{
    std::ifstream in(std::string(BILLRUN_REFERENCE_DIR) + "/bankapi/specs/sicoob-cobranca-bancaria-v3.swagger.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto doc = parse_json(text);
    REQUIRE(doc);
    YAML::Node arquivo = (*doc)["paths"]["/boletos/movimentacoes/download"]["get"]["responses"]["200"]["schema"]
                                ["properties"]["resultado"]["properties"]["arquivo"];
    return arquivo["example"].as<std::string>();
}

}  // namespace

TEST_CASE("sicoob::beneficiario")
{
    auto who = sicoob::beneficiario(account());
    REQUIRE(who);
    CHECK(who->cooperativa == "3066");
    CHECK(who->codigo == "0189189");
    CHECK(who->cliente == "189189");
    CHECK(who->modalidade == "1");
    CHECK(who->conta == "1422207");
    SECTION("modalidade after the carteira")
    {
        auto a = account();
        a.carteira = "1/02";
        CHECK(sicoob::beneficiario(a)->modalidade == "2");
    }
    SECTION("refusals")
    {
        auto a = account();
        a.carteira = "17";
        CHECK(sicoob::beneficiario(a).error().code == ErrorCode::config);
        a = account();
        a.convenio = "12345678";
        CHECK_FALSE(sicoob::beneficiario(a));
    }
}

TEST_CASE("sicoob::numero")
{
    // The spec's movement example: numTitulo 3516 is nosso número 0000351, DV 6, of cooperativa
    // 3066 and cliente 189189 (its barcode's campo livre ends 00003516001).
    auto who = sicoob::beneficiario(account());
    REQUIRE(who);
    CHECK(sicoob::numero(*who, "0000351") == "3516");
    CHECK(sicoob::numero(*who, "0000352") == "3523");
}

TEST_CASE("sicoob::registration_body")
{
    auto who = sicoob::beneficiario(account());
    REQUIRE(who);
    Title t;
    t.seu_numero = "A-000123";
    t.nosso_numero = "0000351";
    t.issue_date = *Date::from_ymd(2026, 11, 23);
    t.due_date = *Date::from_ymd(2026, 12, 3);
    t.amount = 200050;
    t.fine_percent = 200;
    t.interest_per_day = 67;
    t.payer = Payer{"José da Silva\nFilho", "111.444.777-35", "j@x.com.br", "Rua Um, 10", "Centro", "São Paulo",
                    "SP", "01001-000"};
    auto body = parse_json(sicoob::registration_body(*who, t));
    REQUIRE(body);
    CHECK(text(*body, "numeroCliente") == "189189");
    CHECK(text(*body, "numeroContaCorrente") == "1422207");
    CHECK(text(*body, "nossoNumero") == "3516");
    CHECK(text(*body, "seuNumero") == "A-000123");
    CHECK(text(*body, "valor") == "2000.50");
    CHECK(text(*body, "dataVencimento") == "2026-12-03");
    CHECK(text(*body, "tipoMulta") == "2");
    CHECK(text(*body, "dataMulta") == "2026-12-04");
    CHECK(text(*body, "valorMulta") == "2.00");
    CHECK(text(*body, "tipoJurosMora") == "1");
    CHECK(text(*body, "valorJurosMora") == "0.67");
    YAML::Node pagador = member(*body, "pagador");
    CHECK(text(pagador, "numeroCpfCnpj") == "11144477735");
    CHECK(text(pagador, "nome") == "José da Silva Filho");
    CHECK(text(pagador, "cep") == "01001000");
    SECTION("no fine, no interest")
    {
        t.fine_percent = 0;
        t.interest_per_day = 0;
        auto plain = parse_json(sicoob::registration_body(*who, t));
        CHECK(text(*plain, "tipoMulta") == "0");
        CHECK(text(*plain, "tipoJurosMora") == "3");
        CHECK(text(*plain, "dataMulta").empty());
    }
}

TEST_CASE("sicoob::read_remote")
{
    auto doc = parse_json(R"({"nossoNumero":3516,"codigoBarras":"75697782400000085001306601018918900003516001",)"
                          R"("linhaDigitavel":"75691.30663 01018.918900 00351.600188 7 78240000008500",)"
                          R"("situacaoBoleto":"Liquidado"})");
    REQUIRE(doc);
    Remote r = sicoob::read_remote(*doc);
    CHECK(r.bank_id == "3516");
    CHECK(r.barcode.size() == 44);
    CHECK(r.linha_digitavel == "75691306630101891890000351600188778240000008500");
    CHECK(r.paid);
    CHECK_FALSE(r.written_off);
    CHECK(sicoob::read_remote(*parse_json(R"({"situacaoBoleto":"Baixado"})")).written_off);
}

TEST_CASE("sicoob::movement_date")
{
    CHECK(sicoob::movement_date("2019-05-7T00:00:00-03:00") == Date::from_ymd(2019, 5, 7));
    CHECK(sicoob::movement_date("2019-05-10T00:00:00-03:00") == Date::from_ymd(2019, 5, 10));
    CHECK(sicoob::movement_date("2019-05-10") == Date::from_ymd(2019, 5, 10));
    CHECK_FALSE(sicoob::movement_date("2019-02-30T00:00:00"));
    CHECK_FALSE(sicoob::movement_date(""));
}

TEST_CASE("sicoob::read_movement_file")
{
    SECTION("the spec's example: a ZIP passed through Latin-1 -> UTF-8, entries of another movement")
    {
        auto titles = sicoob::read_movement_file(spec_movement_example(), "example");
        REQUIRE(titles);
        CHECK(titles->empty());  // ENTR (entradas): not payments
    }
    SECTION("liquidações")
    {
        // A deflated ZIP of one JSON array: a LIQUI record (day unpadded) and a BAIX one.
        constexpr std::string_view arquivo =
            "UEsDBBQAAAAIAEcqhl0ShA71tgAAAGIBAAAMAAAATElRVUlfMS5qc29ufY9BC4JAEIX/iuy5lVlNM2/WSdAoMAiiw5BbLKhL6+ol/O+5"
            "loEhDcMc3nvDzHd+klrcC0xlK0peaUlCiyTx4RiThUWqpuRKZkI3hTFcj/m9WvNmNxgmG1EwtTLxHDUm4tGIHK84uA44PmWMBhlAODQF"
            "t59jeq94K2qUW8VzoScrsJ7ZabGQ6n3ChAPPhlFNpcJeAtsblQyVuE3ImO11C2sOeRPFpw/xF3fJ/jLBHNTPg6y7vABQSwECFAMUAAAA"
            "CABHKoZdEoQO9bYAAABiAQAADAAAAAAAAAAAAAAAgAEAAAAATElRVUlfMS5qc29uUEsFBgAAAAABAAEAOgAAAOAAAAAAAA==";
        auto titles = sicoob::read_movement_file(arquivo, "file");
        REQUIRE(titles);
        REQUIRE(titles->size() == 1);
        const PaidTitle& t = titles->front();
        CHECK(t.bank_id == "3516");
        CHECK(t.nosso_numero == "00003516");  // number and DV, as a retorno writes it
        CHECK(t.amount == 8500);
        CHECK(t.interest == 50);
        CHECK(t.fee == 150);
        CHECK(t.paid_on == *Date::from_ymd(2026, 11, 8));
        CHECK(t.credit_date == Date::from_ymd(2026, 11, 9));
    }
    SECTION("not an archive")
    {
        CHECK(sicoob::read_movement_file("bm90IGEgemlw", "x").error().code == ErrorCode::data_invalid);
        CHECK_FALSE(sicoob::read_movement_file("%%%", "x"));
    }
}
