#pragma once
// Check-digit rules that more than one layer needs (a bank's boleto numbering and its API).
#include <cstddef>
#include <string_view>

namespace billrun {

// Weights 3, 1, 9, 7 repeating from the leftmost digit, remainder 0 or 1 -> 0, else 11 - r
// (Sicoob's nosso número: over cooperativa(4) + código do beneficiário(10) + nosso número(7)).
inline char dv_3197(std::string_view digits)
{
    static constexpr int k_weights[4] = {3, 1, 9, 7};
    int sum = 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        sum += (digits[i] - '0') * k_weights[i % 4];
    }
    const int r = sum % 11;
    return static_cast<char>('0' + (r < 2 ? 0 : 11 - r));
}

}  // namespace billrun
