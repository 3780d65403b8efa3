// Webhook payloads read as hints (bankapi::parse_webhook): Banco do Brasil's baixa operacional,
// in the shape FACTS.md §1.4 describes, and what a bad payload says.
#include <catch2/catch.hpp>

#include <billrun/bankapi/bankapi.hpp>

using namespace billrun;
using Catch::Matchers::Contains;

namespace {

config::BankAccount bb_account()
{
    config::BankAccount a;
    a.id = "main";
    a.bank = "001";
    a.convenio = "1234567";
    a.registration = "api";
    a.api = config::BankApi{};
    return a;
}

std::string event(std::string_view id, std::string_view paid, std::string_view when, int state = 1)
{
    return std::string(R"({"id":")") + std::string(id) + R"(","dataRegistro":"23.11.2026","valorOriginal":2000.0,)" +
           R"("valorPagoSacado":)" + std::string(paid) + R"(,"numeroConvenio":1234567,)" +
           R"("codigoEstadoBaixaOperacional":)" + std::to_string(state) + R"(,"dataLiquidacao":")" +
           std::string(when) + R"(","canalLiquidacao":4})";
}

}  // namespace

TEST_CASE("parse_webhook")
{
    const auto account = bb_account();
    REQUIRE(bankapi::has_webhooks(account));

    SECTION("an array of events: one hint each, in order")
    {
        auto hints = bankapi::parse_webhook(account, "[" + event("00012345670000000001", "1960.5", "28/11/202605:37:00") +
                                                         "," + event("00012345670000000002", "10", "29/11/2026", 10) + "]");
        REQUIRE(hints);
        REQUIRE(hints->size() == 2);
        const auto& h = (*hints)[0];
        CHECK(h.place == "item 1");
        CHECK(h.nosso_numero == "12345670000000001");
        CHECK(h.convenio == "1234567");
        CHECK(h.amount == Centavos{196050});
        CHECK(h.paid_on == Date::from_ymd(2026, 11, 28));
        CHECK_FALSE(h.undone);
        CHECK((*hints)[1].undone);  // 10: baixa operacional cancelled
        CHECK((*hints)[1].place == "item 2");
    }
    SECTION("one object, and the older name of the state")
    {
        auto hints = bankapi::parse_webhook(
            account, R"({"id":"00012345670000000003","codigoEstadoTituloCobranca":10,"valorPagoSacado":null})");
        REQUIRE(hints);
        REQUIRE(hints->size() == 1);
        CHECK((*hints)[0].undone);
        CHECK_FALSE((*hints)[0].amount);
        CHECK_FALSE((*hints)[0].paid_on);
        CHECK((*hints)[0].convenio.empty());
    }
    SECTION("an empty array: no hint")
    {
        auto hints = bankapi::parse_webhook(account, "[]");
        REQUIRE(hints);
        CHECK(hints->empty());
    }
    SECTION("bad payloads say where")
    {
        auto not_json = bankapi::parse_webhook(account, "[{\"id\": \"0001\",\n  \"valor\": [}");
        REQUIRE_FALSE(not_json);
        CHECK(not_json.error().code == ErrorCode::data_invalid);
        CHECK_THAT(not_json.error().message, Contains("line 2") && Contains("not JSON"));

        auto scalar = bankapi::parse_webhook(account, "\"hello\"");
        REQUIRE_FALSE(scalar);
        CHECK_THAT(scalar.error().message, Contains("expected a JSON array"));

        auto no_id = bankapi::parse_webhook(account, "[" + event("00012345670000000001", "1", "28/11/2026") +
                                                         R"(,{"valorPagoSacado":1}])");
        REQUIRE_FALSE(no_id);
        CHECK_THAT(no_id.error().message, Contains("item 2: id") && Contains("missing"));

        auto short_id = bankapi::parse_webhook(account, "[" + event("1234567", "1", "28/11/2026") + "]");
        REQUIRE_FALSE(short_id);
        CHECK_THAT(short_id.error().message, Contains("item 1: id '1234567'"));

        auto amount = bankapi::parse_webhook(account, "[" + event("00012345670000000001", "\"12,50\"", "28/11/2026") + "]");
        REQUIRE_FALSE(amount);
        CHECK_THAT(amount.error().message, Contains("item 1: valorPagoSacado '12,50'"));

        auto date = bankapi::parse_webhook(account, "[" + event("00012345670000000001", "1", "31/02/2026") + "]");
        REQUIRE_FALSE(date);
        CHECK_THAT(date.error().message, Contains("item 1: dataLiquidacao '31/02/2026'"));

        auto element = bankapi::parse_webhook(account, "[1]");
        REQUIRE_FALSE(element);
        CHECK_THAT(element.error().message, Contains("item 1: not a JSON object"));
    }
    SECTION("a provider without webhooks is a usage error")
    {
        auto other = account;
        other.api->provider = "no-such-provider";
        CHECK_FALSE(bankapi::has_webhooks(other));
        auto r = bankapi::parse_webhook(other, "[]");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::usage);
    }
}
