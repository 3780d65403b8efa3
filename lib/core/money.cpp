#include <billrun/core/money.hpp>

#include <billrun/core/text.hpp>

#include <charconv>
#include <cstddef>
#include <limits>

namespace billrun {

namespace {

__extension__ typedef __int128 Wide;  // products of two int64 never overflow it

constexpr std::int64_t k_int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t k_int64_min = std::numeric_limits<std::int64_t>::min();

Wide wide_div_round_half_even(Wide num, Wide den)
{
    if (den == 0) {
        return 0;
    }
    if (den < 0) {
        num = -num;
        den = -den;
    }
    Wide quotient = num / den;
    const Wide remainder = num % den;
    const Wide twice = (remainder < 0 ? -remainder : remainder) * 2;
    if (twice > den || (twice == den && quotient % 2 != 0)) {
        quotient += num < 0 ? -1 : 1;
    }
    return quotient;
}

// Results that do not fit saturate rather than wrap.
std::int64_t saturate(Wide value)
{
    if (value > k_int64_max) {
        return k_int64_max;
    }
    if (value < k_int64_min) {
        return k_int64_min;
    }
    return static_cast<std::int64_t>(value);
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s)
{
    for (const char c : s) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

// Appends the digits of `digits` to `value`; false on overflow past `limit`.
bool accumulate(std::string_view digits, std::int64_t limit, std::int64_t& value)
{
    for (const char c : digits) {
        const int d = c - '0';
        if (value > (limit - d) / 10) {
            return false;
        }
        value = value * 10 + d;
    }
    return true;
}

// int_digits and frac_digits are digit-only; frac_digits has at most `scale_digits`.
std::optional<std::int64_t> scaled_value(std::string_view int_digits, std::string_view frac_digits,
                                         int scale_digits, std::int64_t limit)
{
    std::int64_t scale = 1;
    for (int i = 0; i < scale_digits; ++i) {
        scale *= 10;
    }
    std::int64_t whole = 0;
    if (!accumulate(int_digits, limit / scale, whole)) {
        return std::nullopt;
    }
    std::int64_t frac = 0;
    accumulate(frac_digits, scale, frac);
    for (auto i = frac_digits.size(); i < static_cast<std::size_t>(scale_digits); ++i) {
        frac *= 10;
    }
    if (whole > (limit - frac) / scale) {
        return std::nullopt;
    }
    return whole * scale + frac;
}

// Digits with at most one '.' or ',' followed by 1..max_decimals digits; no sign, no grouping.
std::optional<std::int64_t> parse_plain_decimal(std::string_view s, int max_decimals,
                                                std::int64_t limit)
{
    const auto sep = s.find_first_of(".,");
    const std::string_view int_digits = s.substr(0, sep);
    const std::string_view frac_digits =
        sep == std::string_view::npos ? std::string_view{} : s.substr(sep + 1);
    if (!all_digits(int_digits) || !all_digits(frac_digits)) {
        return std::nullopt;
    }
    if (sep != std::string_view::npos &&
        (frac_digits.empty() || frac_digits.size() > static_cast<std::size_t>(max_decimals))) {
        return std::nullopt;
    }
    if (int_digits.empty() && frac_digits.empty()) {
        return std::nullopt;
    }
    return scaled_value(int_digits, frac_digits, max_decimals, limit);
}

// "1.234.567" with separator '.': a first group of 1..3 digits, then groups of exactly 3.
bool valid_grouping(std::string_view s, char group)
{
    std::size_t start = 0;
    bool first = true;
    while (true) {
        const auto end = s.find(group, start);
        const std::string_view part =
            s.substr(start, end == std::string_view::npos ? s.npos : end - start);
        const bool size_ok = first ? (!part.empty() && part.size() <= 3) : part.size() == 3;
        if (!size_ok || !all_digits(part)) {
            return false;
        }
        if (end == std::string_view::npos) {
            return true;
        }
        first = false;
        start = end + 1;
    }
}

bool take_sign(std::string_view& s, bool& seen, bool& negative)
{
    if (s.empty() || (s.front() != '-' && s.front() != '+')) {
        return true;
    }
    if (seen) {
        return false;
    }
    seen = true;
    negative = s.front() == '-';
    s.remove_prefix(1);
    return true;
}

void skip_spaces(std::string_view& s)
{
    while (true) {
        if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
        } else if (s.substr(0, 2) == "\xC2\xA0") {  // no-break space, as spreadsheets write it
            s.remove_prefix(2);
        } else {
            return;
        }
    }
}

void append_unsigned(std::uint64_t value, std::string& out)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

std::uint64_t magnitude(std::int64_t value)
{
    return value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
}

// "-12.34" for value -1234 with two decimals, appended to `out`.
void append_fixed2(std::string& out, std::int64_t value)
{
    const std::uint64_t mag = magnitude(value);
    if (value < 0) {
        out.push_back('-');
    }
    append_unsigned(mag / 100, out);
    const char cents[3] = {'.', static_cast<char>('0' + mag % 100 / 10), static_cast<char>('0' + mag % 10)};
    out.append(cents, sizeof cents);
}

std::string format_fixed2(std::int64_t value)
{
    std::string out;
    append_fixed2(out, value);
    return out;
}

}  // namespace

std::optional<Centavos> parse_money(std::string_view text)
{
    std::string_view s = trim(text);
    bool negative = false;
    bool signed_seen = false;
    take_sign(s, signed_seen, negative);
    skip_spaces(s);
    if (s.size() >= 2 && (s[0] == 'R' || s[0] == 'r') && s[1] == '$') {
        s.remove_prefix(2);
        skip_spaces(s);
        if (!take_sign(s, signed_seen, negative)) {
            return std::nullopt;
        }
    }
    if (s.empty()) {
        return std::nullopt;
    }

    std::size_t dots = 0;
    std::size_t commas = 0;
    std::size_t last_dot = 0;
    std::size_t last_comma = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '.') {
            ++dots;
            last_dot = i;
        } else if (s[i] == ',') {
            ++commas;
            last_comma = i;
        } else if (!is_digit(s[i])) {
            return std::nullopt;
        }
    }

    char group = 0;
    std::size_t decimal_at = std::string_view::npos;
    if (dots > 0 && commas > 0) {
        const bool comma_decimal = last_comma > last_dot;
        if ((comma_decimal ? commas : dots) != 1) {
            return std::nullopt;
        }
        decimal_at = comma_decimal ? last_comma : last_dot;
        group = comma_decimal ? '.' : ',';
    } else if (commas > 0) {
        if (commas != 1) {
            return std::nullopt;
        }
        decimal_at = last_comma;
    } else if (dots == 1) {
        decimal_at = last_dot;
    } else if (dots > 1) {
        group = '.';
    }

    std::string_view int_part = s.substr(0, decimal_at);
    const std::string_view frac_part =
        decimal_at == std::string_view::npos ? std::string_view{} : s.substr(decimal_at + 1);
    if (decimal_at != std::string_view::npos && (frac_part.empty() || frac_part.size() > 2)) {
        return std::nullopt;
    }
    if (int_part.empty() && frac_part.empty()) {
        return std::nullopt;
    }

    // Up to 19 integer digits plus separators; the grouped digits are copied out.
    char digits[32];
    std::size_t count = 0;
    if (group != 0) {
        if (!valid_grouping(int_part, group)) {
            return std::nullopt;
        }
        for (const char c : int_part) {
            if (c != group) {
                if (count == sizeof digits) {
                    return std::nullopt;
                }
                digits[count++] = c;
            }
        }
        int_part = std::string_view(digits, count);
    }
    const auto value = scaled_value(int_part, frac_part, 2, k_int64_max);
    if (!value) {
        return std::nullopt;
    }
    return negative ? -*value : *value;
}

std::string format_money(Centavos value)
{
    return format_fixed2(value);
}

void append_money(std::string& out, Centavos value)
{
    append_fixed2(out, value);
}

std::int64_t div_round_half_even(std::int64_t num, std::int64_t den)
{
    return saturate(wide_div_round_half_even(num, den));
}

std::optional<Rate> parse_rate(std::string_view text)
{
    std::string_view s = trim(text);
    if (!s.empty() && s.back() == '%') {
        s.remove_suffix(1);
        s = trim(s);
    }
    const auto value = parse_plain_decimal(s, 2, 10000);  // at most 100%
    if (!value) {
        return std::nullopt;
    }
    return static_cast<Rate>(*value);
}

std::string format_rate(Rate value)
{
    return format_fixed2(value);
}

Centavos apply_rate(Centavos amount, Rate rate)
{
    return saturate(wide_div_round_half_even(static_cast<Wide>(amount) * rate, 10000));
}

std::optional<Quantity> parse_quantity(std::string_view text)
{
    return parse_plain_decimal(trim(text), 3, k_int64_max);
}

std::string format_quantity(Quantity value)
{
    const std::uint64_t mag = magnitude(value);
    std::string out;
    if (value < 0) {
        out.push_back('-');
    }
    append_unsigned(mag / 1000, out);
    std::uint64_t frac = mag % 1000;
    if (frac != 0) {
        int width = 3;
        while (frac % 10 == 0) {
            frac /= 10;
            --width;
        }
        out.push_back('.');
        char buffer[3];
        for (int i = width - 1; i >= 0; --i) {
            buffer[i] = static_cast<char>('0' + frac % 10);
            frac /= 10;
        }
        out.append(buffer, static_cast<std::size_t>(width));
    }
    return out;
}

Centavos line_amount(Quantity quantity, Centavos unit_price)
{
    return saturate(wide_div_round_half_even(static_cast<Wide>(quantity) * unit_price, 1000));
}

std::string format_money_br(Centavos value)
{
    std::string plain = format_money(value);  // "-1234.50"
    bool negative = !plain.empty() && plain.front() == '-';
    std::string digits = plain.substr(negative ? 1 : 0, plain.size() - (negative ? 1 : 0) - 3);
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            grouped += '.';
        }
        grouped += digits[i];
    }
    return (negative ? "-" : "") + grouped + "," + plain.substr(plain.size() - 2);
}

}  // namespace billrun
