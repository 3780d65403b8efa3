// RFC 5322 dates from the ISO 8601 timestamps the run context gives.
#include <array>
#include <optional>

#include <fmt/format.h>

#include <billrun/core/date.hpp>
#include <billrun/mail/mail.hpp>

namespace billrun::mail {

namespace {

constexpr std::array<const char*, 7> k_weekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The number made of s[pos, pos + n) when all are digits.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n)
{
    if (pos + n > s.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return std::nullopt;
        }
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

}  // namespace

std::string rfc5322_date(std::string_view iso)
{
    // YYYY-MM-DD(T| )hh:mm[:ss[.fff]](Z|±hh:mm|±hhmm)
    auto year = digits(iso, 0, 4);
    auto month = digits(iso, 5, 2);
    auto day = digits(iso, 8, 2);
    auto hour = digits(iso, 11, 2);
    auto minute = digits(iso, 14, 2);
    if (!year || !month || !day || !hour || !minute || iso[4] != '-' || iso[7] != '-' ||
        (iso[10] != 'T' && iso[10] != 't' && iso[10] != ' ') || iso[13] != ':') {
        return {};
    }
    auto date = Date::from_ymd(*year, *month, *day);
    if (!date || *hour > 23 || *minute > 59) {
        return {};
    }
    std::size_t pos = 16;
    int second = 0;
    if (pos < iso.size() && iso[pos] == ':') {
        auto s = digits(iso, pos + 1, 2);
        if (!s || *s > 60) {
            return {};
        }
        second = *s;
        pos += 3;
        if (pos < iso.size() && (iso[pos] == '.' || iso[pos] == ',')) {
            ++pos;
            std::size_t start = pos;
            while (pos < iso.size() && iso[pos] >= '0' && iso[pos] <= '9') {
                ++pos;
            }
            if (pos == start) {
                return {};
            }
        }
    }
    std::string_view zone = iso.substr(std::min(pos, iso.size()));
    char sign = '+';
    int zone_hours = 0;
    int zone_minutes = 0;
    if (zone == "Z" || zone == "z") {
        // UTC
    } else if ((zone.size() == 6 || zone.size() == 5) && (zone[0] == '+' || zone[0] == '-')) {
        bool colon = zone.size() == 6;
        auto h = digits(zone, 1, 2);
        auto m = digits(zone, colon ? 4 : 3, 2);
        if (!h || !m || (colon && zone[3] != ':') || *h > 23 || *m > 59) {
            return {};
        }
        sign = zone[0];
        zone_hours = *h;
        zone_minutes = *m;
    } else {
        return {};
    }
    return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} {}{:02d}{:02d}", k_weekdays[date->weekday()],
                       *day, k_months[*month - 1], *year, *hour, *minute, second, sign, zone_hours, zone_minutes);
}

}  // namespace billrun::mail
