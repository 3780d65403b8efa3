#include <catch2/catch.hpp>

#include <sstream>

#include <billrun/billing/cycle.hpp>

using namespace billrun;

namespace {

ledger::Invoice sample_invoice()
{
    ledger::Invoice inv;
    inv.key = 42;
    inv.series = "A";
    inv.number = 7;
    inv.status = "issued";
    inv.customer = "C-001: \"Ação\"";
    inv.contract = "K001";
    inv.period_index = 3;
    inv.period_start = Date::from_ymd(2026, 4, 30);
    inv.period_end = Date::from_ymd(2026, 5, 30);
    inv.issue_date = *Date::from_ymd(2026, 11, 23);
    inv.due_date = *Date::from_ymd(2026, 12, 3);
    inv.lines.push_back({"SUP", "Suporte técnico # mensal", 1500, 85000, 127500, 290, 3698, ""});
    inv.lines.push_back({"CONS", "yes", 1000, 5, 5, 500, 0, "CH-0123456789ab"});
    inv.gross = 127505;
    inv.iss = 3698;
    inv.iss_withheld = true;
    inv.cofins = 3825;
    inv.withheld = 3698 + 3825;
    inv.net = inv.gross - inv.withheld;
    inv.balance = inv.net;
    inv.bank_account = "main";
    return inv;
}

}  // namespace

TEST_CASE("Invoice::display_id")
{
    CHECK(ledger::Invoice::display_id("A", 123) == "A-000123");
    CHECK(ledger::Invoice::display_id("NF", 1) == "NF-000001");
    CHECK(ledger::Invoice::display_id("A", 999999) == "A-999999");
    CHECK(ledger::Invoice::display_id("A", 1234567) == "A-1234567");
    CHECK(ledger::Invoice::display_id("A", std::nullopt).empty());
}

TEST_CASE("append_invoice_yaml")
{
    SECTION("writes exactly what the generic document writer writes")
    {
        for (bool provisional : {false, true}) {
            auto inv = sample_invoice();
            std::ostringstream generic;
            io::write_yaml_document(generic, billing::invoice_document(inv, provisional));
            std::string fast;
            billing::append_invoice_yaml(fast, inv, provisional);
            CHECK(fast == generic.str());
        }
    }
    SECTION("a draft and an invoice of loose charges")
    {
        auto inv = sample_invoice();
        inv.number.reset();
        inv.status = "draft";
        inv.contract.clear();
        inv.period_start.reset();
        inv.period_end.reset();
        std::ostringstream generic;
        io::write_yaml_document(generic, billing::invoice_document(inv));
        std::string fast;
        billing::append_invoice_yaml(fast, inv);
        CHECK(fast == generic.str());
        CHECK(fast.find("id: null\n") != std::string::npos);
        CHECK(fast.find("period: null\n") != std::string::npos);
    }
}
