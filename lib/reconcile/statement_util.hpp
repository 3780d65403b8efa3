#pragma once
// Helpers shared by the OFX and CSV statement readers (private to lib/reconcile).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <billrun/core/money.hpp>
#include <billrun/core/tax_id.hpp>
#include <billrun/core/text.hpp>

namespace billrun::reconcile::detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline bool starts_with_icase(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char a = s[i];
        char b = prefix[i];
        if (a >= 'a' && a <= 'z') {
            a = static_cast<char>(a - 'a' + 'A');
        }
        if (b >= 'a' && b <= 'z') {
            b = static_cast<char>(b - 'a' + 'A');
        }
        if (a != b) {
            return false;
        }
    }
    return true;
}

// An amount as bank statements write it, with a known decimal separator and grouping
// separator ('.' and ',' in either role): "1.234,56", "-50,00", "(50,00)", "50,00 D",
// "50,00-", "R$ 1.234,56", "+12.5". Groups must have three digits; decimals beyond the
// second must be zeros ("12.500"). A trailing 'C' (credit) is accepted and changes nothing.
inline std::optional<Centavos> parse_statement_amount(std::string_view text, char decimal, char group)
{
    std::string_view s = trim(text);
    bool negative = false;
    auto take_sign_prefix = [&] {
        if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
            negative = negative != (s.front() == '-');
            s = trim(s.substr(1));
            return true;
        }
        return false;
    };
    if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
        negative = true;
        s = trim(s.substr(1, s.size() - 2));
    }
    if (!s.empty() && (s.back() == 'D' || s.back() == 'd')) {
        negative = !negative;
        s = trim(s.substr(0, s.size() - 1));
    } else if (!s.empty() && (s.back() == 'C' || s.back() == 'c')) {
        s = trim(s.substr(0, s.size() - 1));
    } else if (!s.empty() && s.back() == '-') {
        negative = !negative;
        s = trim(s.substr(0, s.size() - 1));
    }
    const bool signed_before = take_sign_prefix();
    if (starts_with_icase(s, "R$")) {
        s = trim(s.substr(2));
        if (!signed_before) {
            take_sign_prefix();
        }
    }
    if (s.empty() || !is_digit(s.front())) {
        return std::nullopt;
    }
    constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max() / 100 - 1;
    std::int64_t units = 0;
    std::size_t i = 0;
    std::size_t run = 0;  // digits since the start or the last group separator
    bool grouped = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (is_digit(c)) {
            if (units > (k_max - (c - '0')) / 10) {
                return std::nullopt;
            }
            units = units * 10 + (c - '0');
            ++run;
        } else if (c == group) {
            if (run == 0 || (grouped && run != 3) || (!grouped && run > 3)) {
                return std::nullopt;
            }
            grouped = true;
            run = 0;
        } else {
            break;
        }
    }
    if (grouped && run != 3) {
        return std::nullopt;
    }
    std::int64_t cents = 0;
    if (i < s.size()) {
        if (s[i] != decimal || i + 1 >= s.size()) {
            return std::nullopt;
        }
        std::size_t places = 0;
        for (++i; i < s.size(); ++i, ++places) {
            const char c = s[i];
            if (!is_digit(c)) {
                return std::nullopt;
            }
            if (places < 2) {
                cents += (c - '0') * (places == 0 ? 10 : 1);
            } else if (c != '0') {
                return std::nullopt;
            }
        }
    }
    const std::int64_t value = units * 100 + cents;
    return negative ? -value : value;
}

// The first CPF or CNPJ written in free text (a PIX description, an OFX MEMO): formatted
// ("123.456.789-09", "12.345.678/0001-95") or a bare run of 11 or 14 digits, whose check
// digits are right. Returns the normalised value, or "" when there is none.
inline std::string find_tax_id(std::string_view text)
{
    auto is_punct = [](char c) { return c == '.' || c == '/' || c == '-'; };
    auto matches_mask = [](std::string_view run, std::string_view mask) {
        if (run.size() != mask.size()) {
            return false;
        }
        for (std::size_t k = 0; k < run.size(); ++k) {
            if (mask[k] == '9' ? !is_digit(run[k]) : run[k] != mask[k]) {
                return false;
            }
        }
        return true;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && (is_digit(text[end]) || is_punct(text[end]))) {
            ++end;
        }
        std::size_t last = end;
        while (last > i && !is_digit(text[last - 1])) {
            --last;  // a run may end in punctuation ("... 123.456.789-09.")
        }
        const std::string_view run = text.substr(i, last - i);
        bool digits_only = true;
        for (const char c : run) {
            digits_only = digits_only && is_digit(c);
        }
        const bool shaped = digits_only ? (run.size() == 11 || run.size() == 14)
                                        : (matches_mask(run, "999.999.999-99") ||
                                           matches_mask(run, "99.999.999/9999-99"));
        if (shaped) {
            if (auto id = parse_tax_id(run)) {
                return id->value;
            }
        }
        i = end;
    }
    return {};
}

}  // namespace billrun::reconcile::detail
