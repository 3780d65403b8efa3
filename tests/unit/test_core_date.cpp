#include <billrun/core/date.hpp>

#include <catch2/catch.hpp>

using namespace billrun;

namespace {

Date ymd(int year, int month, int day)
{
    const auto date = Date::from_ymd(year, month, day);
    REQUIRE(date);
    return *date;
}

}  // namespace

TEST_CASE("Date::from_ymd")
{
    SECTION("days since the epoch")
    {
        CHECK(ymd(1970, 1, 1).days() == 0);
        CHECK(ymd(1970, 1, 2).days() == 1);
        CHECK(ymd(1969, 12, 31).days() == -1);
        CHECK(ymd(2000, 1, 1).days() == 10957);
        CHECK(ymd(2000, 3, 1).days() == 11017);
        CHECK(ymd(2026, 1, 15).days() == 20468);
        CHECK(ymd(1900, 1, 1).days() == -25567);
        CHECK(ymd(1, 1, 1).days() == -719162);
        CHECK(Date().days() == 0);
    }
    SECTION("leap days")
    {
        CHECK(Date::from_ymd(2024, 2, 29));
        CHECK(Date::from_ymd(2000, 2, 29));
        CHECK_FALSE(Date::from_ymd(2025, 2, 29));
        CHECK_FALSE(Date::from_ymd(1900, 2, 29));
        CHECK_FALSE(Date::from_ymd(2100, 2, 29));
    }
    SECTION("invalid")
    {
        CHECK_FALSE(Date::from_ymd(2026, 2, 31));
        CHECK_FALSE(Date::from_ymd(2026, 4, 31));
        CHECK_FALSE(Date::from_ymd(2026, 13, 1));
        CHECK_FALSE(Date::from_ymd(2026, 0, 1));
        CHECK_FALSE(Date::from_ymd(2026, 1, 0));
        CHECK_FALSE(Date::from_ymd(2026, 1, 32));
        CHECK_FALSE(Date::from_ymd(0, 1, 1));
        CHECK_FALSE(Date::from_ymd(10000, 1, 1));
    }
}

TEST_CASE("Date::from_days")
{
    SECTION("round trip over four centuries")
    {
        const std::int32_t first = ymd(1900, 1, 1).days();
        const std::int32_t last = ymd(2400, 12, 31).days();
        int previous_day = 31;
        for (std::int32_t n = first; n <= last; ++n) {
            const Date d = Date::from_days(n);
            const auto back = Date::from_ymd(d.year(), d.month(), d.day());
            REQUIRE(back);
            REQUIRE(back->days() == n);
            REQUIRE((d.day() == previous_day + 1 || d.day() == 1));
            previous_day = d.day();
        }
    }
    SECTION("fields")
    {
        const Date d = Date::from_days(20468);
        CHECK(d.year() == 2026);
        CHECK(d.month() == 1);
        CHECK(d.day() == 15);
        const Date before = Date::from_days(-1);
        CHECK(before.year() == 1969);
        CHECK(before.month() == 12);
        CHECK(before.day() == 31);
    }
}

TEST_CASE("Date::weekday")
{
    CHECK(ymd(1970, 1, 1).weekday() == 4);  // Thursday
    CHECK(ymd(1970, 1, 4).weekday() == 0);  // Sunday
    CHECK(ymd(1969, 12, 31).weekday() == 3);
    CHECK(ymd(1969, 12, 28).weekday() == 0);
    CHECK(ymd(2026, 1, 15).weekday() == 4);
    CHECK(ymd(2026, 2, 28).weekday() == 6);  // Saturday
    CHECK(ymd(2000, 1, 1).weekday() == 6);
    CHECK(ymd(1900, 1, 1).weekday() == 1);  // Monday
}

TEST_CASE("Date::add_days")
{
    CHECK(ymd(2026, 1, 31).add_days(1) == ymd(2026, 2, 1));
    CHECK(ymd(2026, 3, 1).add_days(-1) == ymd(2026, 2, 28));
    CHECK(ymd(2024, 3, 1).add_days(-1) == ymd(2024, 2, 29));
    CHECK(ymd(2025, 12, 31).add_days(1) == ymd(2026, 1, 1));
    CHECK(ymd(2026, 1, 1).add_days(365) == ymd(2027, 1, 1));
}

TEST_CASE("Date::add_months_clamped")
{
    SECTION("keeps the day")
    {
        CHECK(ymd(2026, 1, 15).add_months_clamped(1) == ymd(2026, 2, 15));
        CHECK(ymd(2026, 1, 15).add_months_clamped(0) == ymd(2026, 1, 15));
        CHECK(ymd(2026, 11, 15).add_months_clamped(3) == ymd(2027, 2, 15));
        CHECK(ymd(2026, 1, 15).add_months_clamped(24) == ymd(2028, 1, 15));
    }
    SECTION("clamps to the month's end")
    {
        CHECK(ymd(2026, 1, 31).add_months_clamped(1) == ymd(2026, 2, 28));
        CHECK(ymd(2024, 1, 31).add_months_clamped(1) == ymd(2024, 2, 29));
        CHECK(ymd(2026, 3, 31).add_months_clamped(1) == ymd(2026, 4, 30));
        CHECK(ymd(2024, 2, 29).add_months_clamped(12) == ymd(2025, 2, 28));
    }
    SECTION("negative months")
    {
        CHECK(ymd(2026, 3, 31).add_months_clamped(-1) == ymd(2026, 2, 28));
        CHECK(ymd(2026, 1, 15).add_months_clamped(-1) == ymd(2025, 12, 15));
        CHECK(ymd(2026, 1, 15).add_months_clamped(-13) == ymd(2024, 12, 15));
        CHECK(ymd(1970, 1, 1).add_months_clamped(-1) == ymd(1969, 12, 1));
    }
    SECTION("drifts when chained, unlike anchored")
    {
        const Date chained = ymd(2026, 1, 31).add_months_clamped(1).add_months_clamped(1);
        CHECK(chained == ymd(2026, 3, 28));
    }
}

TEST_CASE("Date::anchored")
{
    const Date anchor = ymd(2026, 1, 31);
    SECTION("never drifts")
    {
        CHECK(Date::anchored(anchor, 0) == anchor);
        CHECK(Date::anchored(anchor, 1) == ymd(2026, 2, 28));
        CHECK(Date::anchored(anchor, 2) == ymd(2026, 3, 31));
        CHECK(Date::anchored(anchor, 3) == ymd(2026, 4, 30));
        CHECK(Date::anchored(anchor, 4) == ymd(2026, 5, 31));
        CHECK(Date::anchored(anchor, 12) == ymd(2027, 1, 31));
        CHECK(Date::anchored(anchor, 25) == ymd(2028, 2, 29));
    }
    SECTION("leap year")
    {
        CHECK(Date::anchored(ymd(2024, 1, 31), 1) == ymd(2024, 2, 29));
        CHECK(Date::anchored(ymd(2024, 2, 29), 12) == ymd(2025, 2, 28));
        CHECK(Date::anchored(ymd(2024, 2, 29), 48) == ymd(2028, 2, 29));
    }
    SECTION("quarterly")
    {
        CHECK(Date::anchored(ymd(2026, 11, 30), 3) == ymd(2027, 2, 28));
        CHECK(Date::anchored(ymd(2026, 11, 30), 6) == ymd(2027, 5, 30));
    }
}

TEST_CASE("Date::iso")
{
    CHECK(ymd(2026, 1, 5).iso() == "2026-01-05");
    CHECK(ymd(1970, 1, 1).iso() == "1970-01-01");
    CHECK(ymd(1999, 12, 31).iso() == "1999-12-31");
    CHECK(ymd(999, 3, 4).iso() == "0999-03-04");
    CHECK(Date().iso() == "1970-01-01");
    std::string out = "due ";
    ymd(999, 3, 4).append_iso(out);
    ymd(2026, 12, 31).append_iso(out);
    CHECK(out == "due 0999-03-042026-12-31");
}

TEST_CASE("Date comparison")
{
    CHECK(ymd(2026, 1, 1) < ymd(2026, 1, 2));
    CHECK(ymd(2026, 1, 1) == ymd(2026, 1, 1));
    CHECK(ymd(2027, 1, 1) > ymd(2026, 12, 31));
}

TEST_CASE("days_in_month")
{
    CHECK(days_in_month(2026, 1) == 31);
    CHECK(days_in_month(2026, 2) == 28);
    CHECK(days_in_month(2024, 2) == 29);
    CHECK(days_in_month(1900, 2) == 28);
    CHECK(days_in_month(2000, 2) == 29);
    CHECK(days_in_month(2026, 4) == 30);
    CHECK(days_in_month(2026, 12) == 31);
    CHECK(days_in_month(2026, 13) == 0);
    CHECK(days_in_month(2026, 0) == 0);
}

TEST_CASE("is_leap_year")
{
    CHECK(is_leap_year(2024));
    CHECK(is_leap_year(2000));
    CHECK(is_leap_year(2400));
    CHECK_FALSE(is_leap_year(2025));
    CHECK_FALSE(is_leap_year(1900));
    CHECK_FALSE(is_leap_year(2100));
}

TEST_CASE("days_between")
{
    CHECK(days_between(ymd(2026, 1, 1), ymd(2026, 1, 31)) == 30);
    CHECK(days_between(ymd(2026, 1, 31), ymd(2026, 1, 1)) == -30);
    CHECK(days_between(ymd(2024, 1, 1), ymd(2025, 1, 1)) == 366);
    CHECK(days_between(ymd(2026, 2, 1), ymd(2026, 3, 1)) == 28);
    CHECK(days_between(ymd(2026, 5, 5), ymd(2026, 5, 5)) == 0);
}

TEST_CASE("parse_iso_date")
{
    SECTION("valid")
    {
        CHECK(parse_iso_date("2026-01-15") == ymd(2026, 1, 15));
        CHECK(parse_iso_date("2024-02-29") == ymd(2024, 2, 29));
        CHECK(parse_iso_date("1900-01-01") == ymd(1900, 1, 1));
        CHECK(parse_iso_date("2999-12-31") == ymd(2999, 12, 31));
    }
    SECTION("rejects")
    {
        CHECK_FALSE(parse_iso_date(""));
        CHECK_FALSE(parse_iso_date("2026-1-15"));
        CHECK_FALSE(parse_iso_date("2026-01-5"));
        CHECK_FALSE(parse_iso_date("2026-13-01"));
        CHECK_FALSE(parse_iso_date("2026-02-29"));
        CHECK_FALSE(parse_iso_date("2026-01-15T10:00"));
        CHECK_FALSE(parse_iso_date(" 2026-01-15"));
        CHECK_FALSE(parse_iso_date("15/01/2026"));
        CHECK_FALSE(parse_iso_date("20260115"));
        CHECK_FALSE(parse_iso_date("1899-12-31"));
        CHECK_FALSE(parse_iso_date("3000-01-01"));
        CHECK_FALSE(parse_iso_date("2026/01/15"));
    }
}

TEST_CASE("parse_date")
{
    SECTION("ISO")
    {
        CHECK(parse_date("2026-01-15") == ymd(2026, 1, 15));
        CHECK(parse_date(" 2026-01-15 ") == ymd(2026, 1, 15));
        CHECK(parse_date("15/01/2026\r\n") == ymd(2026, 1, 15));
    }
    SECTION("day first")
    {
        CHECK(parse_date("15/01/2026") == ymd(2026, 1, 15));
        CHECK(parse_date("5/1/2026") == ymd(2026, 1, 5));
        CHECK(parse_date("05/1/2026") == ymd(2026, 1, 5));
        CHECK(parse_date("29/02/2024") == ymd(2024, 2, 29));
        CHECK(parse_date("31/12/1999") == ymd(1999, 12, 31));
    }
    SECTION("time part is ignored")
    {
        CHECK(parse_date("2026-01-15T10:00") == ymd(2026, 1, 15));
        CHECK(parse_date("2026-01-15T10:00:59") == ymd(2026, 1, 15));
        CHECK(parse_date("2026-01-15T10:00:00.123Z") == ymd(2026, 1, 15));
        CHECK(parse_date("2026-01-15T10:00:00-03:00") == ymd(2026, 1, 15));
        CHECK(parse_date("2026-01-15 00:00:00") == ymd(2026, 1, 15));
        CHECK(parse_date("15/01/2026 10:00:00") == ymd(2026, 1, 15));
        CHECK(parse_date("15/01/2026 9:05") == ymd(2026, 1, 15));
        CHECK(parse_date("15/01/2026  23:59") == ymd(2026, 1, 15));
    }
    SECTION("invalid calendar dates")
    {
        CHECK_FALSE(parse_date("31/02/2026"));
        CHECK_FALSE(parse_date("29/02/2025"));
        CHECK_FALSE(parse_date("2026-13-01"));
        CHECK_FALSE(parse_date("00/01/2026"));
        CHECK_FALSE(parse_date("32/01/2026"));
        CHECK_FALSE(parse_date("2026-00-10"));
    }
    SECTION("years out of range or short")
    {
        CHECK_FALSE(parse_date("15/01/26"));
        CHECK_FALSE(parse_date("15/01/126"));
        CHECK_FALSE(parse_date("15/01/20260"));
        CHECK_FALSE(parse_date("01/01/1899"));
        CHECK_FALSE(parse_date("01/01/3000"));
        CHECK(parse_date("01/01/1900") == ymd(1900, 1, 1));
        CHECK(parse_date("31/12/2999") == ymd(2999, 12, 31));
    }
    SECTION("junk")
    {
        CHECK_FALSE(parse_date(""));
        CHECK_FALSE(parse_date("hoje"));
        CHECK_FALSE(parse_date("2026-01-15x"));
        CHECK_FALSE(parse_date("15/01/2026x"));
        CHECK_FALSE(parse_date("15/01/2026 10"));
        CHECK_FALSE(parse_date("15/01/2026 25:00"));
        CHECK_FALSE(parse_date("15/01/2026 10:60"));
        CHECK_FALSE(parse_date("15/01/2026 10:00:00 junk"));
        CHECK_FALSE(parse_date("2026-01-15T"));
        CHECK_FALSE(parse_date("2026-01-15T10:00+3"));
        CHECK_FALSE(parse_date("15-01-2026"));
        CHECK_FALSE(parse_date("015/01/2026"));
        CHECK_FALSE(parse_date("15/001/2026"));
        CHECK_FALSE(parse_date("1/1/2026/"));
        CHECK_FALSE(parse_date("2026-01-15-"));
    }
}
