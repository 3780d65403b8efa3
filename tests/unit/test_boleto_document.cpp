// The boleto document's own YAML writer against the generic one it stands in for.
#include <billrun/boleto/issue.hpp>

#include <string>

#include <catch2/catch.hpp>

#include <billrun/io/document.hpp>

using namespace billrun;

namespace {

ledger::Boleto sample()
{
    ledger::Boleto b;
    b.key = 42;
    b.invoice = 7;
    b.invoice_id = "A-000007";
    b.account = "main";
    b.bank = "001";
    b.nosso_numero = "12345670000000007";
    b.nosso_numero_display = "12345670000000007";
    b.issue_date = *Date::from_ymd(2026, 11, 30);
    b.due_date = *Date::from_ymd(2026, 12, 10);
    b.amount = 100997;
    b.fine_percent = 200;
    b.interest_per_day = 34;
    b.barcode = "00191000000000000000000000000000000000000000";
    b.linha_digitavel = "00190.00009 00000.000000 00000.000000 1 00000000000000";
    return b;
}

std::string generic(const ledger::Boleto& b)
{
    std::string text;
    io::append_yaml_document(text, boleto::boleto_document(b));
    return text;
}

std::string own(const ledger::Boleto& b)
{
    std::string text = "before\n";
    boleto::append_boleto_yaml(text, b);
    return text.substr(7);
}

}  // namespace

TEST_CASE("the boleto YAML writer writes what the generic document writer does")
{
    auto b = sample();
    CHECK(own(b) == generic(b));

    b.nosso_numero_dv = "X";
    b.pix = "00020101021226...6304ABCD";
    b.registration = "registered";
    b.pdf = "out/boletos/A-000007.pdf";
    b.remessa_path = "out/remessa/main-000001.rem";
    CHECK(own(b) == generic(b));

    // Scalars that YAML would read as something else, or that need escapes.
    b.invoice_id = "yes";
    b.account = "conta: \"principal\"\\\t";
    b.nosso_numero = "";
    b.nosso_numero_dv = "7";
    b.pdf = "#1";
    b.key = -3;
    b.amount = -5;
    CHECK(own(b) == generic(b));
}
