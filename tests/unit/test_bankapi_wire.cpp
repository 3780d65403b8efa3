// The pure pieces of lib/bankapi: how money, dates and text go over the wire and come back.
#include <catch2/catch.hpp>

#include "../../lib/bankapi/json.hpp"
#include "../../lib/bankapi/providers.hpp"

using namespace billrun;
using namespace billrun::bankapi;

TEST_CASE("json_money")
{
    CHECK(json_money(0) == "0.00");
    CHECK(json_money(5) == "0.05");
    CHECK(json_money(123450) == "1234.50");
    CHECK(json_money(-1) == "-0.01");
}

TEST_CASE("json_string")
{
    CHECK(json_string("a\"b\\c") == R"("a\"b\\c")");
    CHECK(json_string("linha\n2\x01") == R"("linha\n2\u0001")");
    CHECK(json_string("São Paulo") == "\"São Paulo\"");
}

TEST_CASE("url_encode")
{
    CHECK(url_encode("cobrancas.boletos-info cobrancas.boletos-requisicao") ==
          "cobrancas.boletos-info%20cobrancas.boletos-requisicao");
    CHECK(url_encode("a+b/c=d&e~") == "a%2Bb%2Fc%3Dd%26e~");
}

TEST_CASE("parse_bank_date")
{
    CHECK(parse_bank_date("28.11.2026") == Date::from_ymd(2026, 11, 28));
    CHECK(parse_bank_date("28/11/2026") == Date::from_ymd(2026, 11, 28));
    CHECK(parse_bank_date("2026-11-28") == Date::from_ymd(2026, 11, 28));
    CHECK_FALSE(parse_bank_date("31.02.2026"));
    CHECK_FALSE(parse_bank_date(""));
    CHECK(dd_mm_yyyy(*Date::from_ymd(2026, 1, 5)) == "05.01.2026");
}

TEST_CASE("parse_bank_money")
{
    CHECK(parse_bank_money("1234.5") == 123450);
    CHECK(parse_bank_money("1000") == 100000);
    CHECK(parse_bank_money("0.1") == 10);
    CHECK(parse_bank_money("12.345") == 1235);  // a float on the bank's side, rounded
    CHECK(parse_bank_money("12.3449") == 1234);
    CHECK_FALSE(parse_bank_money("1,50"));
    CHECK_FALSE(parse_bank_money(""));
}

TEST_CASE("read_errors")
{
    CHECK(read_errors(R"({"erros":[{"codigo":"4874915","mensagem":"Nosso Número já incluído"}]})").has("4874915"));
    CHECK(read_errors(R"({"mensagens":[{"codigo":"5004","mensagem":"já cadastrado"}]})").summary(400) ==
          "HTTP 400; 5004: já cadastrado");
    CHECK(read_errors(R"({"title":"Requisição inválida","violacoes":[{"razao":"inválido","propriedade":"cep"}]})")
              .summary(400) == "HTTP 400; cep: inválido");
    CHECK(read_errors(R"({"title":"Erro interno"})").summary(500) == "HTTP 500; Erro interno");
}

TEST_CASE("member and text")
{
    auto doc = parse_json(R"({"Erros":[{"codigo":"4874915"}],"valor":null,"n":12})");
    REQUIRE(doc);
    CHECK(member(*doc, "erros").IsSequence());
    CHECK(text(*doc, "valor").empty());
    CHECK(text(*doc, "N") == "12");
    CHECK(first_of(*doc, {"x", "n"}) == "12");
    CHECK_FALSE(parse_json("{not json"));
}

TEST_CASE("provider table")
{
    REQUIRE(find_provider("bb-cobranca-v2") != nullptr);
    CHECK(find_provider("bb-cobranca-v2")->bank == "001");
    CHECK(find_provider("nope") == nullptr);
    config::BankAccount account;
    account.registration = "api";
    account.api = config::BankApi{};
    account.convenio = "1234567";
    account.carteira = "17";
    account.agency = "1234";
    account.account = "123456";
    CHECK(check_account(account));
    account.convenio = "123456";
    CHECK_FALSE(check_account(account));
    account.convenio = "1234567";
    account.api->provider = "itau-cash-v2";
    auto r = check_account(account);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("not available in this version") != std::string::npos);
    CHECK(r.error().message.find("sicoob-cobranca-v3, inter-cobranca-v3") != std::string::npos);
    CHECK(find_provider("sicoob-cobranca-v3")->bank == "756");
    CHECK(find_provider("inter-cobranca-v3")->bank == "077");
    CHECK(find_provider("inter-cobranca-v3")->client_certificate);
}
