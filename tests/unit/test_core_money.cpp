#include <billrun/core/money.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

using namespace billrun;

namespace {
constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t k_min = std::numeric_limits<std::int64_t>::min();
}  // namespace

TEST_CASE("parse_money")
{
    SECTION("dot decimal")
    {
        CHECK(parse_money("1234.56") == 123456);
        CHECK(parse_money("0.05") == 5);
        CHECK(parse_money("12.5") == 1250);
    }
    SECTION("comma decimal with dot grouping")
    {
        CHECK(parse_money("1.234,56") == 123456);
        CHECK(parse_money("1.234.567,89") == 123456789);
        CHECK(parse_money("1234,5") == 123450);
        CHECK(parse_money("0,01") == 1);
    }
    SECTION("dot decimal with comma grouping")
    {
        CHECK(parse_money("1,234.56") == 123456);
        CHECK(parse_money("1,234,567.89") == 123456789);
    }
    SECTION("integers")
    {
        CHECK(parse_money("12") == 1200);
        CHECK(parse_money("0") == 0);
        CHECK(parse_money("007") == 700);
    }
    SECTION("repeated dots are thousands")
    {
        CHECK(parse_money("1.234.567") == 123456700);
        CHECK(parse_money("12.345.678") == 1234567800);
    }
    SECTION("currency sign, spaces and signs")
    {
        CHECK(parse_money("R$ 1.234,56") == 123456);
        CHECK(parse_money("R$1.234,56") == 123456);
        CHECK(parse_money("R$\xC2\xA0" "1.234,56") == 123456);  // no-break space
        CHECK(parse_money("-12,00") == -1200);
        CHECK(parse_money("+12,00") == 1200);
        CHECK(parse_money("-R$ 12,00") == -1200);
        CHECK(parse_money("R$ -12,00") == -1200);
        CHECK(parse_money(" 12 ") == 1200);
        CHECK(parse_money("\t12,50\r\n") == 1250);
        CHECK(parse_money("-0,00") == 0);
    }
    SECTION("leading separator")
    {
        CHECK(parse_money(",5") == 50);
        CHECK(parse_money(".05") == 5);
    }
    SECTION("rejects junk")
    {
        CHECK_FALSE(parse_money(""));
        CHECK_FALSE(parse_money("   "));
        CHECK_FALSE(parse_money("abc"));
        CHECK_FALSE(parse_money("12a"));
        CHECK_FALSE(parse_money("R$"));
        CHECK_FALSE(parse_money("-"));
        CHECK_FALSE(parse_money("--12"));
        CHECK_FALSE(parse_money("-R$ -12"));
        CHECK_FALSE(parse_money("12-"));
        CHECK_FALSE(parse_money("1 234,56"));
        CHECK_FALSE(parse_money("12,"));
        CHECK_FALSE(parse_money("12."));
        CHECK_FALSE(parse_money(","));
        CHECK_FALSE(parse_money("1e3"));
    }
    SECTION("rejects ambiguous or malformed separators")
    {
        CHECK_FALSE(parse_money("1,2,3"));
        CHECK_FALSE(parse_money("12.345"));  // three decimals, or a thousands group?
        CHECK_FALSE(parse_money("1.234,5,6"));
        CHECK_FALSE(parse_money("1,234.5.6"));
        CHECK_FALSE(parse_money("1.23,45"));      // groups must have three digits
        CHECK_FALSE(parse_money("1234.567,89"));  // first group of four
        CHECK_FALSE(parse_money("1..234,56"));
        CHECK_FALSE(parse_money(".234,56"));
        CHECK_FALSE(parse_money("1.2345.678"));
    }
    SECTION("rejects more than two decimals")
    {
        CHECK_FALSE(parse_money("1,234"));
        CHECK_FALSE(parse_money("0.001"));
        CHECK_FALSE(parse_money("1.234,567"));
    }
    SECTION("overflow")
    {
        CHECK(parse_money("92233720368547758.07") == k_max);
        CHECK(parse_money("-92233720368547758.07") == -k_max);
        CHECK_FALSE(parse_money("92233720368547758.08"));
        CHECK_FALSE(parse_money("92233720368547759"));
        CHECK_FALSE(parse_money("99999999999999999999999999"));
        CHECK_FALSE(parse_money("999.999.999.999.999.999.999.999.999.999.999,00"));
    }
}

TEST_CASE("format_money")
{
    SECTION("two decimals, dot separator")
    {
        CHECK(format_money(123450) == "1234.50");
        CHECK(format_money(0) == "0.00");
        CHECK(format_money(5) == "0.05");
        CHECK(format_money(100) == "1.00");
        CHECK(format_money(123456789) == "1234567.89");
    }
    SECTION("negative")
    {
        CHECK(format_money(-5) == "-0.05");
        CHECK(format_money(-123456) == "-1234.56");
    }
    SECTION("extremes")
    {
        CHECK(format_money(k_max) == "92233720368547758.07");
        CHECK(format_money(k_min) == "-92233720368547758.08");
    }
    SECTION("round trip")
    {
        for (const Centavos v : {Centavos{0}, Centavos{1}, Centavos{-99}, Centavos{1234567}}) {
            CHECK(parse_money(format_money(v)) == v);
        }
    }
    SECTION("append_money appends the same text")
    {
        for (const Centavos v : {Centavos{0}, Centavos{7}, Centavos{-5}, Centavos{123450}, k_max, k_min}) {
            std::string out = "x: ";
            append_money(out, v);
            CHECK(out == "x: " + format_money(v));
        }
    }
}

TEST_CASE("div_round_half_even")
{
    SECTION("exact")
    {
        CHECK(div_round_half_even(10, 2) == 5);
        CHECK(div_round_half_even(0, 7) == 0);
        CHECK(div_round_half_even(-10, 5) == -2);
    }
    SECTION("below and above the half")
    {
        CHECK(div_round_half_even(14, 10) == 1);
        CHECK(div_round_half_even(16, 10) == 2);
        CHECK(div_round_half_even(-14, 10) == -1);
        CHECK(div_round_half_even(-16, 10) == -2);
        CHECK(div_round_half_even(1, 3) == 0);
        CHECK(div_round_half_even(2, 3) == 1);
    }
    SECTION("exact halves go to the even neighbour")
    {
        CHECK(div_round_half_even(5, 10) == 0);
        CHECK(div_round_half_even(15, 10) == 2);
        CHECK(div_round_half_even(25, 10) == 2);
        CHECK(div_round_half_even(35, 10) == 4);
        CHECK(div_round_half_even(45, 10) == 4);
        CHECK(div_round_half_even(1, 2) == 0);
        CHECK(div_round_half_even(3, 2) == 2);
    }
    SECTION("negative halves are symmetric")
    {
        CHECK(div_round_half_even(-5, 10) == 0);
        CHECK(div_round_half_even(-15, 10) == -2);
        CHECK(div_round_half_even(-25, 10) == -2);
        CHECK(div_round_half_even(-45, 10) == -4);
        CHECK(div_round_half_even(-1, 2) == 0);
        CHECK(div_round_half_even(-3, 2) == -2);
    }
    SECTION("extremes")
    {
        CHECK(div_round_half_even(k_max, 1) == k_max);
        CHECK(div_round_half_even(k_min, 1) == k_min);
        CHECK(div_round_half_even(k_max, 2) == 4611686018427387904);  // .5 -> even
        CHECK(div_round_half_even(k_min, 2) == k_min / 2);
    }
}

TEST_CASE("parse_rate")
{
    SECTION("hundredths of a percent")
    {
        CHECK(parse_rate("2.00") == 200);
        CHECK(parse_rate("2") == 200);
        CHECK(parse_rate("0,65") == 65);
        CHECK(parse_rate("0.65") == 65);
        CHECK(parse_rate("4.5") == 450);
        CHECK(parse_rate("0") == 0);
        CHECK(parse_rate("100") == 10000);
        CHECK(parse_rate(" 3,00 ") == 300);
    }
    SECTION("percent sign")
    {
        CHECK(parse_rate("5%") == 500);
        CHECK(parse_rate("5 %") == 500);
        CHECK(parse_rate("1,5%") == 150);
    }
    SECTION("rejects")
    {
        CHECK_FALSE(parse_rate(""));
        CHECK_FALSE(parse_rate("%"));
        CHECK_FALSE(parse_rate("abc"));
        CHECK_FALSE(parse_rate("2.001"));
        CHECK_FALSE(parse_rate("-2"));
        CHECK_FALSE(parse_rate("100.01"));
        CHECK_FALSE(parse_rate("101"));
        CHECK_FALSE(parse_rate("1.000,00"));
        CHECK_FALSE(parse_rate("2."));
        CHECK_FALSE(parse_rate("5%%"));
        CHECK_FALSE(parse_rate("99999999999999999999"));
    }
}

TEST_CASE("format_rate")
{
    CHECK(format_rate(200) == "2.00");
    CHECK(format_rate(65) == "0.65");
    CHECK(format_rate(0) == "0.00");
    CHECK(format_rate(10000) == "100.00");
    CHECK(format_rate(450) == "4.50");
}

TEST_CASE("apply_rate")
{
    SECTION("ordinary")
    {
        CHECK(apply_rate(100000, 200) == 2000);  // 2% of 1000.00
        CHECK(apply_rate(123456, 500) == 6173);  // 6172.8
        CHECK(apply_rate(100, 65) == 1);         // 0.65
        CHECK(apply_rate(0, 500) == 0);
        CHECK(apply_rate(100000, 0) == 0);
        CHECK(apply_rate(100000, 10000) == 100000);
    }
    SECTION("exact half centavos round to even")
    {
        CHECK(apply_rate(50, 100) == 0);     // 0.5
        CHECK(apply_rate(150, 100) == 2);    // 1.5
        CHECK(apply_rate(250, 100) == 2);    // 2.5
        CHECK(apply_rate(1250, 200) == 25);  // 25.0
        CHECK(apply_rate(1225, 200) == 24);  // 24.5
        CHECK(apply_rate(1275, 200) == 26);  // 25.5
    }
    SECTION("negative amounts are symmetric")
    {
        CHECK(apply_rate(-1225, 200) == -24);
        CHECK(apply_rate(-1275, 200) == -26);
        CHECK(apply_rate(-123456, 500) == -6173);
    }
    SECTION("no overflow in the product")
    {
        CHECK(apply_rate(k_max, 10000) == k_max);
        CHECK(apply_rate(k_max, 5000) == 4611686018427387904);  // half of an odd: .5 -> even
        CHECK(apply_rate(k_max, 20000) == k_max);               // saturates
        CHECK(apply_rate(k_min, 20000) == k_min);
    }
}

TEST_CASE("parse_quantity")
{
    SECTION("thousandths")
    {
        CHECK(parse_quantity("1") == 1000);
        CHECK(parse_quantity("1,5") == 1500);
        CHECK(parse_quantity("1.5") == 1500);
        CHECK(parse_quantity("0.125") == 125);
        CHECK(parse_quantity("2,25") == 2250);
        CHECK(parse_quantity(" 10 ") == 10000);
        CHECK(parse_quantity("1.000") == 1000);  // a decimal, not a thousands group
    }
    SECTION("zero is allowed")
    {
        CHECK(parse_quantity("0") == 0);
        CHECK(parse_quantity("0,000") == 0);
    }
    SECTION("rejects")
    {
        CHECK_FALSE(parse_quantity(""));
        CHECK_FALSE(parse_quantity("-1"));
        CHECK_FALSE(parse_quantity("1.2345"));
        CHECK_FALSE(parse_quantity("1.000,5"));
        CHECK_FALSE(parse_quantity("x"));
        CHECK_FALSE(parse_quantity("1,"));
        CHECK_FALSE(parse_quantity("99999999999999999"));
    }
}

TEST_CASE("format_quantity")
{
    CHECK(format_quantity(1000) == "1");
    CHECK(format_quantity(1500) == "1.5");
    CHECK(format_quantity(125) == "0.125");
    CHECK(format_quantity(2250) == "2.25");
    CHECK(format_quantity(1010) == "1.01");
    CHECK(format_quantity(1) == "0.001");
    CHECK(format_quantity(0) == "0");
    CHECK(format_quantity(-1500) == "-1.5");
    CHECK(format_quantity(12000) == "12");
}

TEST_CASE("line_amount")
{
    SECTION("whole quantities")
    {
        CHECK(line_amount(1000, 12345) == 12345);
        CHECK(line_amount(3000, 999) == 2997);
        CHECK(line_amount(0, 999) == 0);
    }
    SECTION("exact half centavos round to even")
    {
        CHECK(line_amount(1500, 3) == 4);   // 4.5
        CHECK(line_amount(1100, 5) == 6);   // 5.5
        CHECK(line_amount(500, 11) == 6);   // 5.5
        CHECK(line_amount(500, 13) == 6);   // 6.5
        CHECK(line_amount(500, 1) == 0);    // 0.5
        CHECK(line_amount(1500, 1) == 2);   // 1.5
    }
    SECTION("not halves")
    {
        CHECK(line_amount(1333, 100) == 133);  // 133.3
        CHECK(line_amount(1337, 100) == 134);  // 133.7
        CHECK(line_amount(125, 999) == 125);   // 124.875
    }
    SECTION("negative values are symmetric")
    {
        CHECK(line_amount(1500, -3) == -4);
        CHECK(line_amount(-1500, 3) == -4);
        CHECK(line_amount(1100, -5) == -6);
        CHECK(line_amount(-500, 13) == -6);
    }
    SECTION("no overflow in the product")
    {
        CHECK(line_amount(1000, k_max) == k_max);
        CHECK(line_amount(2000, k_max) == k_max);  // saturates
        CHECK(line_amount(k_max, 1000) == k_max);
    }
}

TEST_CASE("format_money_br")
{
    CHECK(format_money_br(0) == "0,00");
    CHECK(format_money_br(5) == "0,05");
    CHECK(format_money_br(123456) == "1.234,56");
    CHECK(format_money_br(100000000) == "1.000.000,00");
    CHECK(format_money_br(-123456) == "-1.234,56");
}
