// The table of banks. Adding a bank: one file under banks/ defining its `extern const Bank`,
// one declaration and one table line here.
#include <billrun/boleto/bank.hpp>

#include <array>

#include <fmt/format.h>

namespace billrun::boleto {

namespace banks {
extern const Bank banco_do_brasil;  // banks/bb.cpp
extern const Bank santander;        // banks/santander.cpp
extern const Bank caixa;            // banks/caixa.cpp
extern const Bank bradesco;         // banks/bradesco.cpp
extern const Bank itau;             // banks/itau.cpp
extern const Bank sicoob;           // banks/sicoob.cpp
}  // namespace banks

namespace {

// In COMPE order.
const std::array<const Bank*, 6> k_banks{
    &banks::banco_do_brasil,
    &banks::santander,
    &banks::caixa,
    &banks::bradesco,
    &banks::itau,
    &banks::sicoob,
};

std::string supported_codes()
{
    std::string codes;
    for (const Bank* bank : k_banks) {
        if (!codes.empty()) {
            codes += ", ";
        }
        codes += bank->code;
    }
    return codes;
}

}  // namespace

const Bank* find_bank(std::string_view code)
{
    for (const Bank* bank : k_banks) {
        if (bank->code == code) {
            return bank;
        }
    }
    return nullptr;
}

std::span<const Bank* const> all_banks()
{
    return k_banks;
}

// Each bank's own functions are the checks: its nosso_numero and campo_livre refuse (config)
// an account whose fields do not fit, so the first boleto of the account is tried dry here.
Result<void> check_account(const Beneficiary& account)
{
    const Bank* bank = find_bank(account.bank);
    if (bank == nullptr) {
        return fail(ErrorCode::config,
                    fmt::format("bank '{}' is not supported (supported: {})", account.bank, supported_codes()));
    }
    const Result<NossoNumero> nosso = bank->nosso_numero(account, 1);
    if (!nosso) {
        return tl::unexpected(nosso.error());
    }
    const Result<std::string> campo = bank->campo_livre(account, *nosso);
    if (!campo) {
        return tl::unexpected(campo.error());
    }
    return {};
}

}  // namespace billrun::boleto
