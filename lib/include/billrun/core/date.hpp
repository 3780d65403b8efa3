#pragma once
// Civil dates (proleptic Gregorian), no time zone, no clock. Engine code never reads the clock.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace billrun {

class Date {
public:
    Date() = default;  // 1970-01-01
    static std::optional<Date> from_ymd(int year, int month, int day);  // nullopt if invalid
    static Date from_days(std::int32_t days_since_epoch);

    int year() const;
    int month() const;
    int day() const;
    std::int32_t days() const { return m_days; }  // days since 1970-01-01
    int weekday() const;                          // 0 = Sunday … 6 = Saturday

    Date add_days(std::int32_t n) const { return from_days(m_days + n); }
    // Adds months keeping the day, clamped to the target month's last day (31 Jan + 1 = 28/29 Feb).
    Date add_months_clamped(int months) const;
    // The anchored month series: anchor + k months, always computed from the anchor day,
    // so the day never drifts (31 Jan, 28 Feb, 31 Mar, 30 Apr ...).
    static Date anchored(Date anchor, int months);

    std::string iso() const;  // YYYY-MM-DD
    void append_iso(std::string& out) const;  // the same, appended

    auto operator<=>(const Date&) const = default;

private:
    explicit Date(std::int32_t days) : m_days(days) {}
    std::int32_t m_days = 0;
};

int days_in_month(int year, int month);
bool is_leap_year(int year);
std::int32_t days_between(Date from, Date to);  // to - from

// ISO "YYYY-MM-DD" only.
std::optional<Date> parse_iso_date(std::string_view text);
// What spreadsheets write: ISO "YYYY-MM-DD" or "dd/mm/yyyy" (also "d/m/yyyy"); a time part
// after the date ("T10:00", " 10:00:00") is accepted and ignored. Invalid dates like
// 31/02/2026 give nullopt.
std::optional<Date> parse_date(std::string_view text);

}  // namespace billrun
