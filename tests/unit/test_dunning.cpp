// Late charges and template placeholders: the pure parts of `remind`.
#include <billrun/config/placeholders.hpp>
#include <billrun/core/late.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace billrun;

namespace {

Date d(int y, int m, int day)
{
    return *Date::from_ymd(y, m, day);
}

}  // namespace

TEST_CASE("late_charges: nothing on or before the due date", "[dunning]")
{
    const auto none = late_charges(81175, d(2026, 12, 3), d(2026, 12, 3), 200, 100);
    CHECK(none.days_overdue == 0);
    CHECK(none.total() == 0);
    CHECK(late_charges(81175, d(2026, 12, 3), d(2026, 11, 30), 200, 100).total() == 0);
}

TEST_CASE("late_charges: fine once, interest per day rounded half to even", "[dunning]")
{
    // 811,75 x 2% = 16,235 -> 16,24 (half to even: 3 is odd); 811,75 x 1% / 30 = 0,27058 -> 0,27 a day.
    const auto l = late_charges(81175, d(2026, 12, 3), d(2026, 12, 20), 200, 100);
    CHECK(l.days_overdue == 17);
    CHECK(l.fine == 1624);
    CHECK(l.interest == 27 * 17);
    // 590,00 x 2% = 11,80; 590 x 1% / 30 = 0,19666 -> 0,20 a day; across a month end.
    const auto m = late_charges(59000, d(2026, 11, 28), d(2026, 12, 1), 200, 100);
    CHECK(m.days_overdue == 3);
    CHECK(m.fine == 1180);
    CHECK(m.interest == 60);
    // 0,25 half to even: 1.250,00 x 0,02% = 0,25 exactly; 0,125 -> 0,12.
    CHECK(late_charges(62500, d(2026, 1, 1), d(2026, 1, 2), 2, 0).fine == 12);
    CHECK(late_charges(87500, d(2026, 1, 1), d(2026, 1, 2), 2, 0).fine == 18);
    CHECK(interest_per_day(100000, 100) == 33);  // 10,00 / 30 = 0,333...
}

TEST_CASE("check_placeholders names each unknown one with its line and column", "[dunning]")
{
    CHECK(config::check_placeholders("Olá {customer_name}, {invoice} vence em {due_date}.").empty());
    CHECK(config::check_placeholders("chaves literais: {{ e }}").empty());
    const auto problems = config::check_placeholders("linha 1\nvalor {valor_total} e {amount}\n{");
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].line == 2);
    CHECK(problems[0].column == 7);
    CHECK(problems[0].message.find("unknown placeholder {valor_total}") != std::string::npos);
    CHECK(problems[1].line == 3);
    CHECK(problems[1].message.find("no '}' closes") != std::string::npos);
    CHECK(config::check_placeholders("a } b").size() == 1);
}

TEST_CASE("fill_placeholders", "[dunning]")
{
    const auto value = [](std::string_view name) { return name == "invoice" ? std::string("A-000001") : std::string("?"); };
    CHECK(config::fill_placeholders("Fatura {invoice} {{ok}}", value) == "Fatura A-000001 {ok}");
    CHECK(config::fill_placeholders("sem nada", value) == "sem nada");
}
