#include <catch2/catch.hpp>

#include <sstream>

#include <billrun/io/document.hpp>

using namespace billrun;

TEST_CASE("append_yaml_document")
{
    const io::Map doc{{"kind", "payment"},
                      {"version", 1},
                      {"invoice", io::Value()},
                      {"amount", io::Value::money(123456)},
                      {"reason", "overpaid: R$ 25,00 credited to customer C1"},
                      {"counts", io::Map{{"matched", 3}, {"unmatched", 1}}}};
    std::ostringstream written;
    io::write_yaml_document(written, doc);
    SECTION("the text write_yaml_document writes")
    {
        std::string text;
        io::append_yaml_document(text, doc);
        CHECK(text == written.str());
    }
    SECTION("appended after what the text holds")
    {
        std::string text = "before\n";
        io::append_yaml_document(text, doc);
        io::append_yaml_document(text, doc);
        CHECK(text == "before\n" + written.str() + written.str());
    }
}
