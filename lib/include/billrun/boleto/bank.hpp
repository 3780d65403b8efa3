#pragma once
// A bank is data plus a few functions: its nosso número rule and its campo livre. One file
// per bank under lib/boleto/banks/, one line in the table of banks.cpp.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <billrun/core/error.hpp>

namespace billrun::boleto {

// The beneficiary's account as the bank sees it (from billrun.yaml boleto.accounts).
struct Beneficiary {
    std::string bank;          // "001"
    std::string agency;        // digits
    std::string agency_digit;
    std::string account;       // digits
    std::string account_digit;
    std::string convenio;      // BB convênio; Caixa/Santander beneficiary code; Sicoob client code; Itaú client code
    std::string carteira;
};

struct NossoNumero {
    std::string number;   // the digits the barcode and the remessa carry (bank width, zero-filled, no DV)
    std::string dv;       // its check digit(s); empty when the bank has none for this layout
    std::string display;  // as printed on the slip ("17/00000000001-4", "00000000001-P", ...)
};

struct Bank {
    std::string_view code;       // "001"
    std::string_view code_dv;    // "001-9": printed on the slip
    std::string_view name;       // "Banco do Brasil S.A."
    bool cnab240 = false;        // remessa layouts the bank offers
    bool cnab400 = false;
    // Turns the account's sequence number (1, 2, ...) into the bank's nosso número.
    // Errors (config): an account whose fields do not fit the bank's rule; (data_invalid) a
    // sequence too large for the bank's width.
    Result<NossoNumero> (*nosso_numero)(const Beneficiary& account, std::int64_t sequence) = nullptr;
    // The 25-digit campo livre.
    Result<std::string> (*campo_livre)(const Beneficiary& account, const NossoNumero& nosso) = nullptr;
    // "Agência / Código do Beneficiário" as printed on the slip.
    std::string (*beneficiary_code)(const Beneficiary& account) = nullptr;
    // The bank chooses the nosso número itself (Banco Inter v3, through its API only):
    // nosso_numero() then refuses, and campo_livre() checks a number the bank gave.
    bool numbers_itself = false;
};

const Bank* find_bank(std::string_view code);
std::span<const Bank* const> all_banks();

// Checks that an account has what its bank needs (digits, widths), before anything is issued.
Result<void> check_account(const Beneficiary& account);

}  // namespace billrun::boleto
