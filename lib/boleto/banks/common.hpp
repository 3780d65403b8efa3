#pragma once
// Private to lib/boleto/banks (and its unit test): field checks, zero-filling and the check-digit
// rules the bank files share. Each DV rule is named by its arithmetic, not by a bank.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <billrun/boleto/bank.hpp>
#include <billrun/core/check_digits.hpp>
#include <billrun/core/error.hpp>

namespace billrun::boleto::detail {

inline bool all_digits(std::string_view s)
{
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

// Copies the digits of `s` right-aligned into out[0, width), zero-filled. False when `s` is
// empty, holds a non-digit or is longer than `width`.
inline bool zero_fill(std::string_view s, std::size_t width, char* out)
{
    if (s.empty() || s.size() > width || !all_digits(s)) {
        return false;
    }
    const std::size_t pad = width - s.size();
    for (std::size_t i = 0; i < pad; ++i) {
        out[i] = '0';
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        out[pad + i] = s[i];
    }
    return true;
}

// Writes `value` as `width` zero-filled digits. False when it is negative or does not fit.
inline bool put_number(std::int64_t value, std::size_t width, char* out)
{
    if (value < 0) {
        return false;
    }
    for (std::size_t i = width; i > 0; --i) {
        out[i - 1] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return value == 0;
}

// "Banco do Brasil convênio '123' must have 4, 6, 7 or 8 digits" (ErrorCode::config). The
// caller of check_account puts the account id in front.
inline tl::unexpected<Error> field_error(std::string_view bank, std::string_view field, std::string_view value,
                                         std::string_view problem)
{
    return fail(ErrorCode::config, fmt::format("{} {} '{}' {}", bank, field, value, problem));
}

// A check-digit field of the account (agency_digit, account_digit): empty, or one digit or
// one of `letters` (Banco do Brasil writes 'X', Bradesco 'P').
inline bool valid_digit_field(std::string_view s, std::string_view letters)
{
    return s.empty() || (s.size() == 1 && (all_digits(s) || letters.find(s[0]) != std::string_view::npos));
}

// "1234-5", or "1234" without a digit: how slips print agency and account.
inline std::string with_digit(std::string_view value, std::string_view digit)
{
    std::string out(value);
    if (!digit.empty()) {
        out.append(1, '-').append(digit);
    }
    return out;
}

// Sequence numbers start at 1 and must fit the bank's width (ErrorCode::data_invalid).
inline tl::unexpected<Error> sequence_error(std::string_view bank, std::int64_t sequence, std::size_t width)
{
    return fail(ErrorCode::data_invalid,
                fmt::format("{} nosso número sequence {} must be from 1 to {} digits", bank, sequence, width));
}

// Checks a nosso número handed back to campo_livre: `width` digits; a DV, when given, must match.
inline Result<void> check_nosso(std::string_view bank, const NossoNumero& nosso, std::size_t width,
                                std::string_view dv)
{
    if (nosso.number.size() != width || !all_digits(nosso.number)) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("{} nosso número '{}' must have {} digits", bank, nosso.number, width));
    }
    if (!nosso.dv.empty() && nosso.dv != dv) {
        return fail(ErrorCode::data_invalid,
                    dv.empty() ? fmt::format("{} nosso número {}-{}: this layout has no check digit", bank,
                                             nosso.number, nosso.dv)
                               : fmt::format("{} nosso número {}-{}: the check digit should be {}", bank,
                                             nosso.number, nosso.dv, dv));
    }
    return {};
}

// Sum of the digits times weights min..max repeating from the rightmost digit.
inline int weighted_sum_from_right(std::string_view digits, int min_weight, int max_weight)
{
    int sum = 0;
    int weight = min_weight;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        sum += (*it - '0') * weight;
        weight = weight == max_weight ? min_weight : weight + 1;
    }
    return sum;
}

// Mod 11, weights 9..2 from the right, DV = sum mod 11, 10 -> 'X' (Banco do Brasil).
inline char dv_mod11_9_to_2(std::string_view digits)
{
    int sum = 0;
    int weight = 9;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        sum += (*it - '0') * weight;
        weight = weight == 2 ? 9 : weight - 1;
    }
    const int r = sum % 11;
    return r == 10 ? 'X' : static_cast<char>('0' + r);
}

// Mod 11, weights 2..9 from the right, DV = 11 - r, above 9 -> 0 (Caixa).
inline char dv_mod11_high_zero(std::string_view digits)
{
    const int dv = 11 - weighted_sum_from_right(digits, 2, 9) % 11;
    return static_cast<char>('0' + (dv > 9 ? 0 : dv));
}

// Mod 11, weights 2..9 from the right, remainder 0 or 1 -> 0, else 11 - r (Santander).
inline char dv_mod11_low_zero(std::string_view digits)
{
    const int r = weighted_sum_from_right(digits, 2, 9) % 11;
    return static_cast<char>('0' + (r < 2 ? 0 : 11 - r));
}

// Mod 11, weights 2..7 from the right, remainder 0 -> 0, 1 -> 'P', else 11 - r (Bradesco).
inline char dv_mod11_base7_p(std::string_view digits)
{
    const int r = weighted_sum_from_right(digits, 2, 7) % 11;
    return r == 0 ? '0' : r == 1 ? 'P' : static_cast<char>('0' + 11 - r);
}

using billrun::dv_3197;  // Sicoob, shared with its bank API (core/check_digits.hpp)

// Itaú's special carteiras with an explicit seu número: carteira(3) + nosso(8) + seu número(7) +
// código do cliente(5) + mod10 + '0'. Arguments already zero-filled. The Bank function takes the
// seu número from the nosso número's last 7 digits; this form serves anchors that chose another.
std::string itau_special_campo_livre(std::string_view carteira3, std::string_view nosso8, std::string_view seu7,
                                     std::string_view cliente5);

}  // namespace billrun::boleto::detail
