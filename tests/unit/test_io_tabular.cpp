#include <billrun/io/tabular.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using billrun::io::Cell;
using billrun::io::csv_cell;
using billrun::io::display_width;
using billrun::io::fit_text;
using billrun::io::Format;
using billrun::io::make_tabular_writer;
using billrun::io::TabularSpec;

namespace {

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

TabularSpec two_columns()
{
    TabularSpec spec;
    spec.kind = "report-test";
    spec.columns = {{"name", true, true, 6}, {"amount"}};
    return spec;
}

}  // namespace

TEST_CASE("csv_cell")
{
    SECTION("formula starters are neutralised with a leading quote")
    {
        CHECK(csv_cell("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"");
        CHECK(csv_cell("+5511999") == "'+5511999");
        CHECK(csv_cell("-cmd") == "'-cmd");
        CHECK(csv_cell("@SUM(A1)") == "'@SUM(A1)");
        CHECK(csv_cell("\tx") == "'\tx");
    }
    SECTION("plain numbers stay numbers")
    {
        CHECK(csv_cell("-12.50") == "-12.50");
        CHECK(csv_cell("-0.05") == "-0.05");
        CHECK(csv_cell("1234.50") == "1234.50");
        CHECK(csv_cell("-12") == "-12");
        CHECK(csv_cell("-12.") == "'-12.");
        CHECK(csv_cell("-") == "'-");
        CHECK(csv_cell("-1e5") == "'-1e5");
    }
    SECTION("RFC 4180 quoting")
    {
        CHECK(csv_cell("plain") == "plain");
        CHECK(csv_cell("") == "");
        CHECK(csv_cell("a,b") == "\"a,b\"");
        CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
        CHECK(csv_cell("two\nlines") == "\"two\nlines\"");
        CHECK(csv_cell("Conceição") == "Conceição");
    }
}

TEST_CASE("fit_text")
{
    CHECK(fit_text("Conceição", 9) == "Conceição");
    CHECK(fit_text("Conceição", 5) == "Conc…");
    CHECK(display_width(fit_text("Clínica Odontológica", 8)) == 8);
    CHECK(fit_text("abc", 0).empty());
}

TEST_CASE("table writer")
{
    SECTION("columns line up, numbers to the right, pt-BR money, a rule before totals")
    {
        std::ostringstream out;
        auto writer = make_tabular_writer(Format::table, out, two_columns());
        writer->row({"Érica", Cell::money(123450)});
        writer->row({"Bo", Cell::money(-5)});
        writer->row({"TOTAL", Cell::money(123445)}, true);
        writer->finish();
        auto lines = lines_of(out.str());
        // "report  test", blank, titles, rule, two rows, rule, total
        REQUIRE(lines.size() == 8);
        CHECK(lines[0] == "report  test");
        CHECK(lines[2] == "name     amount");
        CHECK(lines[3] == "-----  --------");
        CHECK(lines[4] == "Érica  1.234,50");
        CHECK(lines[5] == "Bo        -0,05");
        CHECK(lines[6] == lines[3]);
        CHECK(lines[7] == "TOTAL  1.234,45");
    }
    SECTION("an elastic column narrows to fit the width")
    {
        auto spec = two_columns();
        spec.table_width = 20;
        std::ostringstream out;
        auto writer = make_tabular_writer(Format::table, out, spec);
        writer->row({"A very long customer name indeed", Cell::money(100)});
        writer->finish();
        auto lines = lines_of(out.str());
        REQUIRE(lines.size() == 5);
        for (std::size_t i = 2; i < lines.size(); ++i) {
            CHECK(display_width(lines[i]) <= 20);
        }
        CHECK(lines[4] == "A very long…    1,00");
    }
    SECTION("columns hidden from the table are only in the data formats")
    {
        auto spec = two_columns();
        spec.columns.push_back({"key", false});
        std::ostringstream table;
        auto writer = make_tabular_writer(Format::table, table, spec);
        writer->row({"x", Cell::money(1), Cell::integer(7)});
        writer->finish();
        CHECK(table.str().find("key") == std::string::npos);
        std::ostringstream csv;
        writer = make_tabular_writer(Format::csv, csv, spec);
        writer->row({"x", Cell::money(1), Cell::integer(7)});
        writer->finish();
        CHECK(csv.str() == "name,amount,key\nx,0.01,7\n");
    }
}

TEST_CASE("yaml and json writers")
{
    auto spec = two_columns();
    spec.header = {{"business_date", "2026-12-01"}};
    SECTION("yaml")
    {
        std::ostringstream out;
        auto writer = make_tabular_writer(Format::yaml, out, spec);
        writer->row({"yes", Cell::money(150)});
        writer->row({Cell(), Cell::integer(3)});
        writer->finish({{"count", 2}});
        CHECK(out.str() ==
              "---\nkind: report-test\nversion: 1\nbusiness_date: \"2026-12-01\"\nrows:\n"
              "  - name: \"yes\"\n    amount: \"1.50\"\n  - name: null\n    amount: 3\ncount: 2\n");
    }
    SECTION("yaml without rows")
    {
        std::ostringstream out;
        make_tabular_writer(Format::yaml, out, spec)->finish();
        CHECK(out.str() == "---\nkind: report-test\nversion: 1\nbusiness_date: \"2026-12-01\"\nrows: []\n");
    }
    SECTION("json")
    {
        std::ostringstream out;
        auto writer = make_tabular_writer(Format::json, out, spec);
        writer->row({"a\"b", Cell::money(-1250)});
        writer->finish({{"count", 1}});
        CHECK(out.str() == "{\"kind\":\"report-test\",\"version\":1,\"business_date\":\"2026-12-01\","
                           "\"rows\":[{\"name\":\"a\\\"b\",\"amount\":\"-12.50\"}],\"count\":1}\n");
    }
}
