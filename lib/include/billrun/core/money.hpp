#pragma once
// Money is integer centavos; never floating point. Rounding is half to even (ABNT NBR 5891).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace billrun {

using Centavos = std::int64_t;

// Parses an amount as spreadsheets write it: "1234.56", "1.234,56", "1234,5", "R$ 1.234,56",
// "-12,00", "12". The decimal separator is the last of ',' or '.' when both appear; a lone
// ',' is decimal; a lone '.' is decimal unless it repeats (1.234.567). More than two
// decimal places, junk, or overflow give std::nullopt.
std::optional<Centavos> parse_money(std::string_view text);

// "1234.50", "-0.05": two decimals, '.' separator, no grouping (the artifact format).
std::string format_money(Centavos value);
void append_money(std::string& out, Centavos value);  // format_money's text, appended
// "1.234,50": as Brazilians read it (slips, letters, e-mails).
std::string format_money_br(Centavos value);

// Divides num by den (den > 0) rounding half to even.
std::int64_t div_round_half_even(std::int64_t num, std::int64_t den);

// A percentage with up to two decimals kept as hundredths of a percent ("2.00" -> 200,
// "0.65" -> 65). Accepts ',' or '.' as decimal separator and an optional trailing '%'.
using Rate = std::int32_t;
std::optional<Rate> parse_rate(std::string_view text);
std::string format_rate(Rate value);  // "2.00"

// amount * rate, where rate is in hundredths of a percent, rounded half to even.
Centavos apply_rate(Centavos amount, Rate rate);

// A quantity with up to three decimals kept in thousandths ("1" -> 1000, "1,5" -> 1500).
using Quantity = std::int64_t;
std::optional<Quantity> parse_quantity(std::string_view text);
std::string format_quantity(Quantity value);  // "1", "1.5", "0.125": no trailing zeros

// quantity (thousandths) * unit price, rounded half to even to the centavo.
Centavos line_amount(Quantity quantity, Centavos unit_price);

}  // namespace billrun
