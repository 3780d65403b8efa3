#include <billrun/core/date.hpp>

#include <billrun/core/text.hpp>

#include <algorithm>
#include <charconv>

namespace billrun {

namespace {

constexpr int k_min_year = 1;
constexpr int k_max_year = 9999;
constexpr int k_min_parsed_year = 1900;
constexpr int k_max_parsed_year = 2999;

constexpr std::int64_t k_days_per_era = 146097;      // 400 Gregorian years
constexpr std::int64_t k_epoch_from_0000_03_01 = 719468;  // 0000-03-01 to 1970-01-01

struct Civil {
    std::int64_t year;
    int month;
    int day;
};

std::int64_t floor_div(std::int64_t a, std::int64_t b)
{
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Counts years from 1 March so that the leap day is the last day of the counted year; a
// 400-year era then has a fixed length and the day of the era splits into year and day.
std::int64_t days_from_civil(std::int64_t year, int month, int day)
{
    const std::int64_t y = month <= 2 ? year - 1 : year;
    const std::int64_t era = floor_div(y, 400);
    const std::int64_t year_of_era = y - era * 400;                // 0..399
    const std::int64_t month_from_march = (month + 9) % 12;        // March = 0
    const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;  // 0..365
    const std::int64_t day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * k_days_per_era + day_of_era - k_epoch_from_0000_03_01;
}

Civil civil_from_days(std::int64_t days)
{
    const std::int64_t z = days + k_epoch_from_0000_03_01;
    const std::int64_t era = floor_div(z, k_days_per_era);
    const std::int64_t day_of_era = z - era * k_days_per_era;  // 0..146096
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
    const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    const int month = static_cast<int>(month_from_march < 10 ? month_from_march + 3
                                                             : month_from_march - 9);
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    return Civil{year, month, day};
}

bool is_leap(std::int64_t year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int month_length(std::int64_t year, int month)
{
    static constexpr int k_lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap(year)) {
        return 29;
    }
    return k_lengths[month - 1];
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// Reads 1..max_digits digits at s[pos]; at least min_digits of them.
bool read_number(std::string_view s, std::size_t& pos, std::size_t min_digits,
                 std::size_t max_digits, int& value)
{
    std::size_t count = 0;
    value = 0;
    while (pos < s.size() && count < max_digits && is_digit(s[pos])) {
        value = value * 10 + (s[pos] - '0');
        ++pos;
        ++count;
    }
    return count >= min_digits && (pos == s.size() || !is_digit(s[pos]));
}

bool expect(std::string_view s, std::size_t& pos, char c)
{
    if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

std::optional<Date> parsed_date(int year, int month, int day)
{
    if (year < k_min_parsed_year || year > k_max_parsed_year) {
        return std::nullopt;
    }
    return Date::from_ymd(year, month, day);
}

// "10:00", "10:00:00", "10:00:00.123", with an optional "Z" or "+03:00" / "-0300".
bool valid_time_part(std::string_view s)
{
    std::size_t pos = 0;
    int hour = 0;
    int minute = 0;
    if (!read_number(s, pos, 1, 2, hour) || hour > 23 || !expect(s, pos, ':') ||
        !read_number(s, pos, 2, 2, minute) || minute > 59) {
        return false;
    }
    if (expect(s, pos, ':')) {
        int second = 0;
        if (!read_number(s, pos, 2, 2, second) || second > 60) {
            return false;
        }
        if (expect(s, pos, '.') || expect(s, pos, ',')) {
            int fraction = 0;
            if (!read_number(s, pos, 1, 9, fraction)) {
                return false;
            }
        }
    }
    if (expect(s, pos, 'Z')) {
        return pos == s.size();
    }
    if (expect(s, pos, '+') || expect(s, pos, '-')) {
        int zone_hour = 0;
        int zone_minute = 0;
        if (!read_number(s, pos, 2, 2, zone_hour) || zone_hour > 23) {
            return false;
        }
        expect(s, pos, ':');
        if (!read_number(s, pos, 2, 2, zone_minute) || zone_minute > 59) {
            return false;
        }
    }
    return pos == s.size();
}

// What may follow the date: nothing, or 'T' / spaces and a valid time.
bool valid_date_tail(std::string_view rest)
{
    if (rest.empty()) {
        return true;
    }
    if (rest.front() == 'T') {
        return valid_time_part(rest.substr(1));
    }
    if (rest.front() != ' ') {
        return false;
    }
    while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
    }
    return valid_time_part(rest);
}

// "YYYY-MM-DD" at the start of s; `pos` ends after it.
std::optional<Date> read_iso(std::string_view s, std::size_t& pos)
{
    int year = 0;
    int month = 0;
    int day = 0;
    if (!read_number(s, pos, 4, 4, year) || !expect(s, pos, '-') ||
        !read_number(s, pos, 2, 2, month) || !expect(s, pos, '-') ||
        !read_number(s, pos, 2, 2, day)) {
        return std::nullopt;
    }
    return parsed_date(year, month, day);
}

// "dd/mm/yyyy" or "d/m/yyyy" at the start of s.
std::optional<Date> read_dmy(std::string_view s, std::size_t& pos)
{
    int year = 0;
    int month = 0;
    int day = 0;
    if (!read_number(s, pos, 1, 2, day) || !expect(s, pos, '/') ||
        !read_number(s, pos, 1, 2, month) || !expect(s, pos, '/') ||
        !read_number(s, pos, 4, 4, year)) {
        return std::nullopt;
    }
    return parsed_date(year, month, day);
}

}  // namespace

std::optional<Date> Date::from_ymd(int year, int month, int day)
{
    if (year < k_min_year || year > k_max_year || month < 1 || month > 12 || day < 1 ||
        day > month_length(year, month)) {
        return std::nullopt;
    }
    return Date(static_cast<std::int32_t>(days_from_civil(year, month, day)));
}

Date Date::from_days(std::int32_t days_since_epoch)
{
    return Date(days_since_epoch);
}

int Date::year() const
{
    return static_cast<int>(civil_from_days(m_days).year);
}

int Date::month() const
{
    return civil_from_days(m_days).month;
}

int Date::day() const
{
    return civil_from_days(m_days).day;
}

int Date::weekday() const
{
    // 1970-01-01 was a Thursday (4).
    const std::int64_t shifted = static_cast<std::int64_t>(m_days) + 4;
    return static_cast<int>(shifted - floor_div(shifted, 7) * 7);
}

Date Date::add_months_clamped(int months) const
{
    const Civil civil = civil_from_days(m_days);
    const std::int64_t total = civil.year * 12 + (civil.month - 1) + months;
    const std::int64_t year = floor_div(total, 12);
    const int month = static_cast<int>(total - year * 12) + 1;
    const int day = std::min(civil.day, month_length(year, month));
    return Date(static_cast<std::int32_t>(days_from_civil(year, month, day)));
}

Date Date::anchored(Date anchor, int months)
{
    return anchor.add_months_clamped(months);
}

std::string Date::iso() const
{
    std::string out;
    append_iso(out);
    return out;
}

void Date::append_iso(std::string& out) const
{
    const Civil civil = civil_from_days(m_days);
    std::int64_t year = civil.year;
    if (year < 0) {
        out.push_back('-');
        year = -year;
    }
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, year);
    const auto year_digits = static_cast<std::size_t>(result.ptr - buffer);
    if (year_digits < 4) {
        out.append(4 - year_digits, '0');
    }
    out.append(buffer, result.ptr);
    const char rest[6] = {'-',
                          static_cast<char>('0' + civil.month / 10),
                          static_cast<char>('0' + civil.month % 10),
                          '-',
                          static_cast<char>('0' + civil.day / 10),
                          static_cast<char>('0' + civil.day % 10)};
    out.append(rest, sizeof rest);
}

int days_in_month(int year, int month)
{
    if (month < 1 || month > 12) {
        return 0;
    }
    return month_length(year, month);
}

bool is_leap_year(int year)
{
    return is_leap(year);
}

std::int32_t days_between(Date from, Date to)
{
    return to.days() - from.days();
}

std::optional<Date> parse_iso_date(std::string_view text)
{
    std::size_t pos = 0;
    auto date = read_iso(text, pos);
    if (!date || pos != text.size()) {
        return std::nullopt;
    }
    return date;
}

std::optional<Date> parse_date(std::string_view text)
{
    const std::string_view s = trim(text);
    std::size_t pos = 0;
    const bool iso = s.size() > 4 && s[4] == '-';
    auto date = iso ? read_iso(s, pos) : read_dmy(s, pos);
    if (!date || !valid_date_tail(s.substr(pos))) {
        return std::nullopt;
    }
    return date;
}

}  // namespace billrun
