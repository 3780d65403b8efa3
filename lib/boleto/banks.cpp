// The table of banks, made from banks/list.def. Adding a bank: one file under banks/
// defining its `extern const Bank`, and one line in list.def.
#include <billrun/boleto/bank.hpp>

#include <array>

#include <fmt/format.h>

namespace billrun::boleto {

namespace banks {
#define BILLRUN_BANK(name) extern const Bank name;
#include "banks/list.def"
#undef BILLRUN_BANK
}  // namespace banks

namespace {

const std::array k_banks{
#define BILLRUN_BANK(name) static_cast<const Bank*>(&banks::name),
#include "banks/list.def"
#undef BILLRUN_BANK
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
    // A bank that numbers its boletos itself is tried with a number of its width.
    const Result<NossoNumero> nosso =
        bank->numbers_itself ? Result<NossoNumero>(NossoNumero{"0000000001", "0", ""}) : bank->nosso_numero(account, 1);
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
