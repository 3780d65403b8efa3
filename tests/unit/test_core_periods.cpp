#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <billrun/core/periods.hpp>

using billrun::Date;
using namespace billrun;

namespace {

Date ymd(int y, int m, int d)
{
    std::optional<Date> date = Date::from_ymd(y, m, d);
    REQUIRE(date);
    return *date;
}

constexpr Cycle k_weekly{CycleUnit::days, 7};
constexpr Cycle k_monthly{CycleUnit::months, 1};
constexpr Cycle k_quarterly{CycleUnit::months, 3};
constexpr Cycle k_semiannual{CycleUnit::months, 6};
constexpr Cycle k_annual{CycleUnit::months, 12};

std::vector<std::string> starts_of(Date start, Cycle cycle, int count)
{
    std::vector<std::string> out;
    for (int k = 0; k < count; ++k) {
        out.push_back(period_start(start, cycle, k).iso());
    }
    return out;
}

// Written here on purpose, independent of billrun::days_in_month.
int brute_days_in_month(int y, int m)
{
    static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : k_days[m - 1];
}

std::vector<std::int64_t> indexes(const std::vector<Period>& periods)
{
    std::vector<std::int64_t> out;
    for (const Period& p : periods) {
        out.push_back(p.index);
    }
    return out;
}

}  // namespace

TEST_CASE("parse_cycle")
{
    SECTION("English names")
    {
        CHECK(parse_cycle("weekly") == Cycle{CycleUnit::days, 7});
        CHECK(parse_cycle("monthly") == k_monthly);
        CHECK(parse_cycle("bimonthly") == Cycle{CycleUnit::months, 2});
        CHECK(parse_cycle("quarterly") == k_quarterly);
        CHECK(parse_cycle("semiannual") == k_semiannual);
        CHECK(parse_cycle("semi-annual") == k_semiannual);
        CHECK(parse_cycle("annual") == k_annual);
        CHECK(parse_cycle("yearly") == k_annual);
    }
    SECTION("Portuguese names")
    {
        CHECK(parse_cycle("semanal") == k_weekly);
        CHECK(parse_cycle("mensal") == k_monthly);
        CHECK(parse_cycle("bimestral") == Cycle{CycleUnit::months, 2});
        CHECK(parse_cycle("trimestral") == k_quarterly);
        CHECK(parse_cycle("semestral") == k_semiannual);
        CHECK(parse_cycle("anual") == k_annual);
    }
    SECTION("case, accents and surrounding space are ignored")
    {
        CHECK(parse_cycle("  Monthly ") == k_monthly);
        CHECK(parse_cycle("MENSAL") == k_monthly);
        CHECK(parse_cycle("Semi-Annual") == k_semiannual);
        CHECK(parse_cycle("ÁNUAL") == k_annual);
        CHECK(parse_cycle("A cada 3 MESES") == k_quarterly);
        CHECK(parse_cycle("a cada 2 mês") == Cycle{CycleUnit::months, 2});
    }
    SECTION("every N days / months")
    {
        CHECK(parse_cycle("every 10 days") == Cycle{CycleUnit::days, 10});
        CHECK(parse_cycle("every 1 day") == Cycle{CycleUnit::days, 1});
        CHECK(parse_cycle("Every 3660 days") == Cycle{CycleUnit::days, 3660});
        CHECK(parse_cycle("a cada 15 dias") == Cycle{CycleUnit::days, 15});
        CHECK(parse_cycle("a  cada\t15 dias") == Cycle{CycleUnit::days, 15});
        CHECK(parse_cycle("every 4 months") == Cycle{CycleUnit::months, 4});
        CHECK(parse_cycle("a cada 4 meses") == Cycle{CycleUnit::months, 4});
        CHECK(parse_cycle("every 2 weeks") == Cycle{CycleUnit::days, 14});
    }
    SECTION("rejected")
    {
        CHECK_FALSE(parse_cycle(""));
        CHECK_FALSE(parse_cycle("daily-ish"));
        CHECK_FALSE(parse_cycle("every 0 days"));
        CHECK_FALSE(parse_cycle("every 3661 days"));
        CHECK_FALSE(parse_cycle("every -3 days"));
        CHECK_FALSE(parse_cycle("every 1.5 days"));
        CHECK_FALSE(parse_cycle("every 3/ days"));
        CHECK_FALSE(parse_cycle("every +3 days"));
        CHECK_FALSE(parse_cycle("every x days"));
        CHECK_FALSE(parse_cycle("every 99999999999999999999 days"));
        CHECK_FALSE(parse_cycle("every 3 fortnights"));
        CHECK_FALSE(parse_cycle("every days"));
        CHECK_FALSE(parse_cycle("every 3 days please"));
        CHECK_FALSE(parse_cycle("every 0 months"));
        CHECK_FALSE(parse_cycle("every 121 months"));
    }
}

TEST_CASE("format_cycle")
{
    CHECK(format_cycle(k_weekly) == "weekly");
    CHECK(format_cycle(k_monthly) == "monthly");
    CHECK(format_cycle(k_quarterly) == "quarterly");
    CHECK(format_cycle(k_semiannual) == "semiannual");
    CHECK(format_cycle(k_annual) == "annual");
    CHECK(format_cycle({CycleUnit::days, 10}) == "every 10 days");
    CHECK(format_cycle({CycleUnit::months, 2}) == "every 2 months");
    CHECK(format_cycle({CycleUnit::months, 4}) == "every 4 months");
    SECTION("round trip")
    {
        for (Cycle c : {k_weekly, k_monthly, k_quarterly, k_semiannual, k_annual,
                        Cycle{CycleUnit::days, 1}, Cycle{CycleUnit::days, 30},
                        Cycle{CycleUnit::months, 2}, Cycle{CycleUnit::months, 18}}) {
            CHECK(parse_cycle(format_cycle(c)) == c);
        }
    }
}

TEST_CASE("parse_billing_mode")
{
    for (const char* text : {"advance", "Antecipado", "pre", "PRÉ", "prepaid", "adiantado"}) {
        INFO(text);
        CHECK(parse_billing_mode(text) == BillingMode::advance);
    }
    for (const char* text : {"arrears", "POSTECIPADO", "pos", "pós", "Postpaid", "vencido"}) {
        INFO(text);
        CHECK(parse_billing_mode(text) == BillingMode::arrears);
    }
    CHECK_FALSE(parse_billing_mode(""));
    CHECK_FALSE(parse_billing_mode("later"));
}

TEST_CASE("period_start")
{
    SECTION("monthly from 31 January keeps the anchor day")
    {
        CHECK(starts_of(ymd(2026, 1, 31), k_monthly, 8) ==
              std::vector<std::string>{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30",
                                       "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31"});
        CHECK(starts_of(ymd(2024, 1, 31), k_monthly, 3) ==
              std::vector<std::string>{"2024-01-31", "2024-02-29", "2024-03-31"});
    }
    SECTION("monthly from the 28th, 29th and 30th")
    {
        CHECK(starts_of(ymd(2026, 1, 28), k_monthly, 3) ==
              std::vector<std::string>{"2026-01-28", "2026-02-28", "2026-03-28"});
        CHECK(starts_of(ymd(2027, 12, 29), k_monthly, 4) ==
              std::vector<std::string>{"2027-12-29", "2028-01-29", "2028-02-29", "2028-03-29"});
        CHECK(starts_of(ymd(2026, 12, 29), k_monthly, 4) ==
              std::vector<std::string>{"2026-12-29", "2027-01-29", "2027-02-28", "2027-03-29"});
        CHECK(starts_of(ymd(2025, 1, 30), k_monthly, 3) ==
              std::vector<std::string>{"2025-01-30", "2025-02-28", "2025-03-30"});
    }
    SECTION("quarterly")
    {
        CHECK(starts_of(ymd(2023, 11, 30), k_quarterly, 5) ==
              std::vector<std::string>{"2023-11-30", "2024-02-29", "2024-05-30", "2024-08-30",
                                       "2024-11-30"});
        CHECK(starts_of(ymd(2025, 11, 29), k_quarterly, 3) ==
              std::vector<std::string>{"2025-11-29", "2026-02-28", "2026-05-29"});
        CHECK(starts_of(ymd(2026, 8, 31), k_quarterly, 4) ==
              std::vector<std::string>{"2026-08-31", "2026-11-30", "2027-02-28", "2027-05-31"});
        CHECK(starts_of(ymd(2027, 11, 28), k_quarterly, 2) ==
              std::vector<std::string>{"2027-11-28", "2028-02-28"});
    }
    SECTION("semiannual")
    {
        CHECK(starts_of(ymd(2023, 8, 31), k_semiannual, 4) ==
              std::vector<std::string>{"2023-08-31", "2024-02-29", "2024-08-31", "2025-02-28"});
        CHECK(starts_of(ymd(2027, 8, 30), k_semiannual, 3) ==
              std::vector<std::string>{"2027-08-30", "2028-02-29", "2028-08-30"});
        CHECK(starts_of(ymd(2025, 8, 29), k_semiannual, 3) ==
              std::vector<std::string>{"2025-08-29", "2026-02-28", "2026-08-29"});
        CHECK(starts_of(ymd(2026, 8, 28), k_semiannual, 2) ==
              std::vector<std::string>{"2026-08-28", "2027-02-28"});
    }
    SECTION("annual")
    {
        CHECK(starts_of(ymd(2024, 2, 29), k_annual, 5) ==
              std::vector<std::string>{"2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28",
                                       "2028-02-29"});
        CHECK(starts_of(ymd(2023, 2, 28), k_annual, 3) ==
              std::vector<std::string>{"2023-02-28", "2024-02-28", "2025-02-28"});
        CHECK(starts_of(ymd(2025, 12, 31), k_annual, 3) ==
              std::vector<std::string>{"2025-12-31", "2026-12-31", "2027-12-31"});
        CHECK(starts_of(ymd(2026, 4, 30), k_annual, 2) ==
              std::vector<std::string>{"2026-04-30", "2027-04-30"});
    }
    SECTION("weekly across year ends")
    {
        CHECK(starts_of(ymd(2025, 12, 22), k_weekly, 4) ==
              std::vector<std::string>{"2025-12-22", "2025-12-29", "2026-01-05", "2026-01-12"});
        CHECK(starts_of(ymd(2023, 12, 27), k_weekly, 2) ==
              std::vector<std::string>{"2023-12-27", "2024-01-03"});
        CHECK(period_start(ymd(2024, 2, 22), k_weekly, 1).iso() == "2024-02-29");
        CHECK(period_start(ymd(2025, 1, 1), k_weekly, 52).iso() == "2025-12-31");
        CHECK(period_start(ymd(2025, 1, 1), k_weekly, 53).iso() == "2026-01-07");
    }
    SECTION("every N days")
    {
        const Cycle every10{CycleUnit::days, 10};
        CHECK(starts_of(ymd(2024, 2, 20), every10, 3) ==
              std::vector<std::string>{"2024-02-20", "2024-03-01", "2024-03-11"});
        CHECK(starts_of(ymd(2025, 2, 20), every10, 3) ==
              std::vector<std::string>{"2025-02-20", "2025-03-02", "2025-03-12"});
        CHECK(period_start(ymd(2026, 1, 1), {CycleUnit::days, 1}, 365).iso() == "2027-01-01");
        CHECK(period_start(ymd(2026, 1, 1), {CycleUnit::days, 3660}, 1).iso() == "2036-01-09");
    }
    SECTION("absurd indexes do not overflow")
    {
        const Date s = ymd(2026, 1, 1);
        CHECK(period_start(s, k_monthly, std::int64_t{1} << 62) > ymd(9999, 12, 31));
        CHECK(period_start(s, k_weekly, std::int64_t{1} << 62) > ymd(9999, 12, 31));
    }
}

TEST_CASE("period_start matches a brute-force month series")
{
    for (int y = 2023; y <= 2029; ++y) {
        for (int m = 1; m <= 12; ++m) {
            for (int d = 1; d <= brute_days_in_month(y, m); ++d) {
                const Date s = ymd(y, m, d);
                for (int n : {1, 2, 3, 6, 12}) {
                    for (int k = 0; k <= 60; ++k) {
                        const int total = (m - 1) + n * k;
                        const int ey = y + total / 12;
                        const int em = total % 12 + 1;
                        const int ed = std::min(d, brute_days_in_month(ey, em));
                        const Date got = period_start(s, {CycleUnit::months, n}, k);
                        if (got.year() != ey || got.month() != em || got.day() != ed) {
                            FAIL("start " << s.iso() << " every " << n << " months, k=" << k
                                          << ": got " << got.iso() << ", want " << ey << "-"
                                          << em << "-" << ed);
                        }
                    }
                }
            }
        }
    }
    SUCCEED();
}

TEST_CASE("period_at")
{
    const Date s = ymd(2026, 1, 31);
    SECTION("an open contract: full periods ending the day before the next start")
    {
        const std::optional<Period> p0 = period_at(s, k_monthly, 0, std::nullopt);
        REQUIRE(p0);
        CHECK(p0->index == 0);
        CHECK(p0->start.iso() == "2026-01-31");
        CHECK(p0->end.iso() == "2026-02-27");
        CHECK(p0->full_end == p0->end);
        CHECK_FALSE(p0->partial());
        CHECK(p0->days_served() == 28);
        CHECK(p0->days_full() == 28);

        const std::optional<Period> p1 = period_at(s, k_monthly, 1, std::nullopt);
        REQUIRE(p1);
        CHECK(p1->start.iso() == "2026-02-28");
        CHECK(p1->end.iso() == "2026-03-30");
        CHECK(p1->days_full() == 31);
    }
    SECTION("leap February")
    {
        const std::optional<Period> p = period_at(ymd(2028, 1, 31), k_monthly, 1, std::nullopt);
        REQUIRE(p);
        CHECK(p->start.iso() == "2028-02-29");
        CHECK(p->end.iso() == "2028-03-30");
        const std::optional<Period> a = period_at(ymd(2024, 2, 29), k_annual, 0, std::nullopt);
        REQUIRE(a);
        CHECK(a->end.iso() == "2025-02-27");
        CHECK(a->days_full() == 365);
    }
    SECTION("contract end mid-period clamps the end")
    {
        const Date end = ymd(2026, 3, 10);
        const std::optional<Period> p = period_at(s, k_monthly, 1, end);
        REQUIRE(p);
        CHECK(p->start.iso() == "2026-02-28");
        CHECK(p->end.iso() == "2026-03-10");
        CHECK(p->full_end.iso() == "2026-03-30");
        CHECK(p->partial());
        CHECK(p->days_served() == 11);
        CHECK(p->days_full() == 31);
        CHECK_FALSE(period_at(s, k_monthly, 2, end));
        CHECK_FALSE(period_at(s, k_monthly, 100, end));
    }
    SECTION("contract end on the first day of a period: one day served")
    {
        const std::optional<Period> p = period_at(s, k_monthly, 2, ymd(2026, 3, 31));
        REQUIRE(p);
        CHECK(p->days_served() == 1);
        CHECK(p->partial());
    }
    SECTION("contract end on the period's last day: not partial, nothing after")
    {
        const Date end = ymd(2026, 3, 30);
        const std::optional<Period> p = period_at(s, k_monthly, 1, end);
        REQUIRE(p);
        CHECK(p->end == end);
        CHECK_FALSE(p->partial());
        CHECK_FALSE(period_at(s, k_monthly, 2, end));
    }
    SECTION("contract ending on its first day")
    {
        const std::optional<Period> p = period_at(s, k_monthly, 0, s);
        REQUIRE(p);
        CHECK(p->days_served() == 1);
        CHECK_FALSE(period_at(s, k_monthly, 1, s));
    }
    SECTION("weekly with an end")
    {
        const std::optional<Period> p =
            period_at(ymd(2025, 12, 22), k_weekly, 1, ymd(2026, 1, 2));
        REQUIRE(p);
        CHECK(p->start.iso() == "2025-12-29");
        CHECK(p->full_end.iso() == "2026-01-04");
        CHECK(p->end.iso() == "2026-01-02");
        CHECK(p->days_served() == 5);
        CHECK(p->days_full() == 7);
    }
    SECTION("no period before the start, none for a broken cycle")
    {
        CHECK_FALSE(period_at(s, k_monthly, -1, std::nullopt));
        CHECK_FALSE(period_at(s, {CycleUnit::months, 0}, 0, std::nullopt));
        CHECK_FALSE(period_at(s, {CycleUnit::days, -7}, 0, std::nullopt));
        CHECK_FALSE(period_at(s, k_monthly, 0, ymd(2026, 1, 30)));
    }
}

TEST_CASE("billing_date")
{
    const std::optional<Period> p = period_at(ymd(2026, 1, 31), k_monthly, 1, ymd(2026, 3, 10));
    REQUIRE(p);
    CHECK(billing_date(*p, BillingMode::advance).iso() == "2026-02-28");
    CHECK(billing_date(*p, BillingMode::arrears).iso() == "2026-03-10");
}

TEST_CASE("due_periods")
{
    const Date s = ymd(2026, 1, 15);
    SECTION("advance: a period is due on its start")
    {
        CHECK(due_periods(s, k_monthly, BillingMode::advance, std::nullopt, 0, ymd(2026, 1, 14))
                  .empty());
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::advance, std::nullopt, 0, s)) ==
              std::vector<std::int64_t>{0});
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::advance, std::nullopt, 0,
                                  ymd(2026, 2, 14))) == std::vector<std::int64_t>{0});
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::advance, std::nullopt, 0,
                                  ymd(2026, 2, 15))) == std::vector<std::int64_t>{0, 1});
    }
    SECTION("arrears: a period is due on its last day")
    {
        CHECK(due_periods(s, k_monthly, BillingMode::arrears, std::nullopt, 0, ymd(2026, 2, 13))
                  .empty());
        const std::vector<Period> due =
            due_periods(s, k_monthly, BillingMode::arrears, std::nullopt, 0, ymd(2026, 2, 14));
        REQUIRE(due.size() == 1);
        CHECK(due[0].start.iso() == "2026-01-15");
        CHECK(due[0].end.iso() == "2026-02-14");
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::arrears, std::nullopt, 0,
                                  ymd(2026, 3, 14))) == std::vector<std::int64_t>{0, 1});
    }
    SECTION("catch-up: a run missed for three months bills three periods")
    {
        // Periods 0..2 were billed; the runs of April, May and June were missed.
        const std::vector<Period> due =
            due_periods(s, k_monthly, BillingMode::advance, std::nullopt, 3, ymd(2026, 6, 20));
        CHECK(indexes(due) == std::vector<std::int64_t>{3, 4, 5});
        REQUIRE(due.size() == 3);
        CHECK(due[0].start.iso() == "2026-04-15");
        CHECK(due[2].end.iso() == "2026-07-14");
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::arrears, std::nullopt, 3,
                                  ymd(2026, 7, 14))) == std::vector<std::int64_t>{3, 4, 5});
    }
    SECTION("from the first unbilled index, nothing when already billed")
    {
        CHECK(due_periods(s, k_monthly, BillingMode::advance, std::nullopt, 6, ymd(2026, 6, 20))
                  .empty());
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::advance, std::nullopt, -5,
                                  ymd(2026, 1, 20))) == std::vector<std::int64_t>{0});
    }
    SECTION("a far index is reached directly")
    {
        const Date start = ymd(2000, 1, 31);
        const std::vector<Period> due = due_periods(start, k_monthly, BillingMode::advance,
                                                    std::nullopt, 312, ymd(2026, 2, 28));
        REQUIRE(due.size() == 2);
        CHECK(due[0].start.iso() == "2026-01-31");
        CHECK(due[1].start.iso() == "2026-02-28");
    }
    SECTION("the contract end stops the series")
    {
        const Date end = ymd(2026, 3, 20);
        const std::vector<Period> adv =
            due_periods(s, k_monthly, BillingMode::advance, end, 0, ymd(2027, 1, 1));
        REQUIRE(adv.size() == 3);
        CHECK(adv[2].start.iso() == "2026-03-15");
        CHECK(adv[2].end == end);
        CHECK(adv[2].partial());
        CHECK(adv[2].days_served() == 6);

        // In arrears the partial period is due on the contract end, not its full end.
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::arrears, end, 0,
                                  ymd(2026, 3, 19))) == std::vector<std::int64_t>{0, 1});
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::arrears, end, 0, end)) ==
              std::vector<std::int64_t>{0, 1, 2});
        CHECK(due_periods(s, k_monthly, BillingMode::arrears, end, 3, ymd(2030, 1, 1)).empty());
    }
    SECTION("end on a period boundary: no period starting after it")
    {
        const Date end = ymd(2026, 3, 14);
        CHECK(indexes(due_periods(s, k_monthly, BillingMode::advance, end, 0,
                                  ymd(2026, 12, 31))) == std::vector<std::int64_t>{0, 1});
    }
    SECTION("weekly across the year end")
    {
        const std::vector<Period> due = due_periods(ymd(2025, 12, 22), k_weekly,
                                                    BillingMode::arrears, std::nullopt, 0,
                                                    ymd(2026, 1, 11));
        REQUIRE(due.size() == 3);
        CHECK(due[1].start.iso() == "2025-12-29");
        CHECK(due[1].end.iso() == "2026-01-04");
        CHECK(due[2].end.iso() == "2026-01-11");
    }
    SECTION("limit bounds the count")
    {
        const std::vector<Period> due = due_periods(ymd(2020, 1, 1), {CycleUnit::days, 1},
                                                    BillingMode::advance, std::nullopt, 0,
                                                    ymd(2026, 1, 1), 10);
        CHECK(due.size() == 10);
        CHECK(due.back().index == 9);
        CHECK(due_periods(ymd(2020, 1, 1), {CycleUnit::days, 1}, BillingMode::advance,
                          std::nullopt, 0, ymd(2026, 1, 1))
                  .size() == 2193);
    }
    SECTION("an invalid cycle or an absurd index gives nothing")
    {
        CHECK(due_periods(s, {CycleUnit::months, 0}, BillingMode::advance, std::nullopt, 0,
                          ymd(2030, 1, 1))
                  .empty());
        CHECK(due_periods(s, k_monthly, BillingMode::advance, std::nullopt,
                          std::numeric_limits<std::int64_t>::max(), ymd(2030, 1, 1))
                  .empty());
    }
    SECTION("consecutive periods tile the timeline")
    {
        const std::vector<Period> due = due_periods(ymd(2024, 1, 31), k_monthly,
                                                    BillingMode::advance, std::nullopt, 0,
                                                    ymd(2029, 12, 31));
        REQUIRE(due.size() == 72);
        for (std::size_t i = 1; i < due.size(); ++i) {
            CHECK(due[i].start == due[i - 1].end.add_days(1));
            CHECK(due[i].index == due[i - 1].index + 1);
        }
    }
}
