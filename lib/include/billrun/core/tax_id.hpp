#pragma once
// CPF and CNPJ (numeric and the alphanumeric CNPJ of IN RFB 2.229/2024) with check digits.
#include <optional>
#include <string>
#include <string_view>

namespace billrun {

enum class TaxIdKind { cpf, cnpj };

struct TaxId {
    TaxIdKind kind = TaxIdKind::cpf;
    std::string value;  // normalised: 11 digits (CPF) or 14 characters (CNPJ), no punctuation
};

// Accepts punctuation ('.', '/', '-', spaces) and lower-case letters; returns the normalised
// id when its check digits are right, else nullopt. `why`, when given, receives a reason.
std::optional<TaxId> parse_tax_id(std::string_view text, std::string* why = nullptr);

bool valid_cpf(std::string_view digits11);
bool valid_cnpj(std::string_view chars14);  // numeric or alphanumeric

// "123.456.789-09", "12.ABC.345/01DE-35"
std::string format_tax_id(const TaxId& id);

}  // namespace billrun
