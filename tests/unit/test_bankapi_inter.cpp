// Banco Inter Cobrança v3's wire mapping (lib/bankapi/providers/inter_cobranca_v3.hpp), with the
// shape of the v3 GET answer FACTS.md cites (bancointer-python's RespostaRecuperarCobranca).
#include <catch2/catch.hpp>

#include "../../lib/bankapi/json.hpp"
#include "../../lib/bankapi/providers/inter_cobranca_v3.hpp"

using namespace billrun;
using namespace billrun::bankapi;

TEST_CASE("inter::registration_body")
{
    Title t;
    t.seu_numero = "A-000123-EXTRA-LONG";
    t.nosso_numero = "ignored";
    t.issue_date = *Date::from_ymd(2026, 11, 23);
    t.due_date = *Date::from_ymd(2026, 12, 3);
    t.amount = 200050;
    t.fine_percent = 200;
    t.interest_per_day = 67;
    t.payer = Payer{"Empresa Ltda", "47.291.836/0001-07", "a@x.com.br", "Rua Um, 10", "Centro", "São Paulo", "SP",
                    "01001-000"};
    auto body = parse_json(inter::registration_body(t));
    REQUIRE(body);
    CHECK(text(*body, "seuNumero") == "A-000123-EXTRA-");  // 15 characters at most
    CHECK(text(*body, "valorNominal") == "2000.50");
    CHECK(text(*body, "dataVencimento") == "2026-12-03");
    CHECK(text(*body, "numDiasAgenda") == "60");
    YAML::Node pagador = member(*body, "pagador");
    CHECK(text(pagador, "cpfCnpj") == "47291836000107");
    CHECK(text(pagador, "tipoPessoa") == "JURIDICA");
    CHECK(text(pagador, "cep") == "01001000");
    CHECK(text(member(*body, "multa"), "codigo") == "PERCENTUAL");
    CHECK(text(member(*body, "multa"), "taxa") == "2.00");
    CHECK(text(member(*body, "mora"), "codigo") == "VALORDIA");
    CHECK(text(member(*body, "mora"), "valor") == "0.67");
    SECTION("a person, no fine, no interest")
    {
        t.payer.tax_id = "111.444.777-35";
        t.fine_percent = 0;
        t.interest_per_day = 0;
        auto plain = parse_json(inter::registration_body(t));
        CHECK(text(member(*plain, "pagador"), "tipoPessoa") == "FISICA");
        CHECK(text(member(*plain, "multa"), "codigo") == "NAOTEMMULTA");
        CHECK(text(member(*plain, "mora"), "codigo") == "ISENTO");
    }
}

TEST_CASE("inter::read_remote")
{
    auto doc = parse_json(R"({"cobranca":{"codigoSolicitacao":"b3c1-77","seuNumero":"00001","situacao":"A_RECEBER",)"
                          R"("dataSituacao":"2024-11-11","valorNominal":2.5},)"
                          R"("boleto":{"nossoNumero":"3364699211","codigoBarras":"0779...1",)"
                          R"("linhaDigitavel":"07790.00116 ..."},"pix":{"txid":"x"}})");
    REQUIRE(doc);
    Remote r = inter::read_remote(*doc);
    CHECK(r.bank_id == "b3c1-77");
    CHECK(r.nosso_numero == "3364699211");
    CHECK(r.state == "A_RECEBER");
    CHECK_FALSE(r.paid);
    SECTION("still being issued")
    {
        auto issuing = parse_json(R"({"cobranca":{"codigoSolicitacao":"x","situacao":"EM_PROCESSAMENTO"}})");
        Remote p = inter::read_remote(*issuing);
        CHECK(inter::still_issuing(p.state));
        CHECK(p.barcode.empty());
        CHECK(inter::failed("FALHA_EMISSAO"));
    }
}

TEST_CASE("inter::read_paid")
{
    auto paid = parse_json(R"({"cobranca":{"codigoSolicitacao":"c-1","situacao":"RECEBIDO","dataSituacao":"2026-11-28",)"
                           R"("valorTotalRecebido":2040.5,"origemRecebimento":"BOLETO"},)"
                           R"("boleto":{"nossoNumero":"00000000414"}})");
    REQUIRE(paid);
    auto t = inter::read_paid(*paid);
    REQUIRE(t);
    REQUIRE(*t);
    CHECK((*t)->bank_id == "c-1");
    CHECK((*t)->nosso_numero == "0000000041");  // the 10 digits before Inter's DV
    CHECK((*t)->amount == 204050);
    CHECK((*t)->paid_on == *Date::from_ymd(2026, 11, 28));
    CHECK((*t)->state == "RECEBIDO/BOLETO");
    SECTION("other situações are not payments")
    {
        auto marked = parse_json(R"({"cobranca":{"codigoSolicitacao":"c-2","situacao":"MARCADO_RECEBIDO"}})");
        CHECK_FALSE(*inter::read_paid(*marked));
    }
    SECTION("a payment without its amount")
    {
        auto bad = parse_json(R"({"cobranca":{"codigoSolicitacao":"c-3","situacao":"RECEBIDO"},"boleto":{"nossoNumero":"1"}})");
        CHECK(inter::read_paid(*bad).error().code == ErrorCode::data_invalid);
    }
}
