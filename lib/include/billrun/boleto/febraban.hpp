#pragma once
// FEBRABAN boleto arithmetic: the due-date factor, the 44-digit barcode, the 47-digit linha
// digitável and their check digits. Pure functions; bank rules live in bank.hpp.
#include <optional>
#include <string>
#include <string_view>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>

namespace billrun::boleto {

// Mod 10 (weights 2,1,2,... from the right, digits of products added): a linha field's DV.
int mod10(std::string_view digits);
// The barcode's general DV over the 43 other digits: mod 11, weights 2..9 from the right,
// 11 - r, and 0, 10, 11 become 1.
int barcode_dv(std::string_view digits43);

// The due-date factor: ((due - 1997-10-07) - 1000) mod 9000 + 1000 for dates from 2000-07-03
// (1000 again on 2025-02-22 and 2049-10-14). nullopt before 2000-07-03.
std::optional<int> due_factor(Date due);
// The date a factor stands for: the candidate within [reference - 3000, reference + 5500] days.
Date date_from_factor(int factor, Date reference);

// bank(3) + '9' + DV + factor(4) + amount(10) + campo livre(25). Errors (data_invalid): a
// campo livre that is not 25 digits, an amount over 99.999.999,99 or negative, a due date
// before 2000-07-03.
Result<std::string> make_barcode(std::string_view bank, Date due, Centavos amount, std::string_view campo_livre);

// The 47 digits of the linha digitável for a 44-digit barcode, and back.
std::string linha_digitavel(std::string_view barcode44);
std::optional<std::string> barcode_from_linha(std::string_view linha47);
// "00190.00009 01238.798977 77700.168188 3 37690000013500"
std::string format_linha(std::string_view linha47);

// Whether a 44-digit barcode's DV and a 47-digit linha's four DVs are right.
bool valid_barcode(std::string_view barcode44);
bool valid_linha(std::string_view linha47);

}  // namespace billrun::boleto
