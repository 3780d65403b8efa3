// The DPS and RPS an invoice gets: the service of its largest line, the description, the taker
// cut to each layout's limits, the refusals.
#include <catch2/catch.hpp>

#include <billrun/config/config.hpp>

#include "../../lib/nfse/content.hpp"

using namespace billrun;
using namespace billrun::nfse;

namespace {

Date ymd(int y, int m, int d)
{
    return *Date::from_ymd(y, m, d);
}

struct Fixture {
    config::Config config = config::default_config();
    ledger::NfseRecord row;
    ledger::Invoice invoice;
    ledger::Customer customer;
    std::unordered_map<std::string, ledger::Service> services;

    Fixture()
    {
        config.company.tax_id = "11222333000181";
        config.company.city_code = "3550308";
        row.standard = "nacional";
        row.dps_series = "1";
        row.dps_number = 42;
        invoice.series = "A";
        invoice.number = 123;
        invoice.issue_date = ymd(2026, 12, 1);
        invoice.period_start = ymd(2026, 12, 1);
        invoice.period_end = ymd(2026, 12, 31);
        invoice.lines = {{"hosting", "Hospedagem", 1000, 5000, 5000, 200, 100, ""},
                         {"support", "Suporte", 2500, 4000, 10000, 200, 200, ""}};
        invoice.gross = 15000;
        invoice.iss = 300;
        customer.name = std::string(200, 'N');
        customer.tax_id = "52998224725";
        customer.email = "a@example.com; b@example.com";
        customer.phone = "(11) 3333-4444";
        customer.complement = std::string(100, 'c');
        services["hosting"] = {"hosting", "Hospedagem", 5000, "010701", std::nullopt};
        services["support"] = {"support", "Suporte", 4000, "010601", Rate{350}};
    }

    Result<Content> content() const
    {
        return invoice_content(ContentSource{row, invoice, customer, services, config, "2026-12-01T10:00:00-03:00",
                                             ymd(2026, 12, 1), "billrun 0.1.0"});
    }
};

}  // namespace

TEST_CASE("nfse content: a national DPS")
{
    Fixture f;
    auto c = f.content();
    REQUIRE(c);
    REQUIRE(c->dps);
    CHECK_FALSE(c->rps);
    const Dps& d = *c->dps;
    CHECK(d.service_code == "010601");  // the largest line's service
    CHECK(d.description == "Hospedagem; Suporte (2.5 x 40,00). Período: 01/12/2026 a 31/12/2026. Fatura A-000123");
    CHECK(d.number == 42);
    CHECK(d.amount == 15000);
    CHECK(d.emitted_at == "2026-12-01T10:00:00-03:00");
    CHECK(d.taker->name.size() == 200);           // within 300
    CHECK(d.taker->complement.size() == 100);     // within 156
    CHECK(d.taker->email == "a@example.com");     // the first address
    CHECK(d.taker->phone == "1133334444");
    CHECK(d.provider.tax_id == "11222333000181");
}

TEST_CASE("nfse content: an ABRASF RPS is cut to its own limits")
{
    Fixture f;
    f.row.standard = "abrasf";
    auto c = f.content();
    REQUIRE(c);
    REQUIRE(c->rps);
    CHECK_FALSE(c->dps);
    CHECK(c->rps->taker->name.size() == 150);
    CHECK(c->rps->taker->complement.size() == 60);
    CHECK(c->rps->service_item == "01.06");
    CHECK(c->rps->iss_rate == 350);  // the service's rate, not the company's
    CHECK(c->rps->issued == ymd(2026, 12, 1));
}

TEST_CASE("nfse content: refusals")
{
    Fixture f;
    SECTION("a service without its code")
    {
        f.services["support"].service_code.clear();
        auto c = f.content();
        REQUIRE_FALSE(c);
        CHECK(c.error().code == ErrorCode::data_invalid);
        CHECK(c.error().message.find("service 'support' has no service_code") != std::string::npos);
    }
    SECTION("no lines")
    {
        f.invoice.lines.clear();
        auto c = f.content();
        REQUIRE_FALSE(c);
        CHECK(c.error().message == "the invoice has no lines");
    }
    SECTION("a phone too short is left out")
    {
        f.customer.phone = "123";
        auto c = f.content();
        REQUIRE(c);
        CHECK(c->dps->taker->phone.empty());
    }
}
