// Bradesco 237 (FACTS.md §2.5; brcobranca bradesco.rb, laravel CalculoDV::bradescoNossoNumero).
//
// Account fields: agency (up to 4 digits) and account (up to 7), zero-filled; carteira of 1 or
// 2 digits (zero-filled: "9" is 09; Bradesco assigns carteiras per contract, 00 does not exist);
// convenio unused. Nosso número: sequence(11), DV mod 11 weights 2..7 over carteira + nosso,
// remainder 0 -> 0, 1 -> P, else 11 - r; printed "09/00000000001-P".
// Campo livre: agência(4) + carteira(2) + nosso(11) + conta(7) + 0.
#include <algorithm>

#include "common.hpp"

namespace billrun::boleto::banks {

namespace {

using namespace detail;

constexpr std::string_view k_name = "Bradesco";

struct Account {
    char agency[4];
    char carteira[2];
    char account[7];
};

Result<Account> parse(const Beneficiary& in)
{
    Account out;
    if (!zero_fill(in.carteira, 2, out.carteira) || std::string_view(out.carteira, 2) == "00") {
        return field_error(k_name, "carteira", in.carteira, "must have 1 or 2 digits (09, 19, 25, ...)");
    }
    if (!zero_fill(in.agency, 4, out.agency)) {
        return field_error(k_name, "agency", in.agency, "must have 1 to 4 digits");
    }
    if (!zero_fill(in.account, 7, out.account)) {
        return field_error(k_name, "account", in.account, "must have 1 to 7 digits");
    }
    if (!valid_digit_field(in.agency_digit, "Pp")) {
        return field_error(k_name, "agency_digit", in.agency_digit, "must be one digit or P");
    }
    if (!valid_digit_field(in.account_digit, "Pp")) {
        return field_error(k_name, "account_digit", in.account_digit, "must be one digit or P");
    }
    return out;
}

char nosso_dv(const char* carteira, std::string_view nosso11)
{
    char digits[13];
    std::copy_n(carteira, 2, digits);
    nosso11.copy(digits + 2, 11);
    return dv_mod11_base7_p(std::string_view(digits, 13));
}

Result<NossoNumero> nosso_numero(const Beneficiary& in, std::int64_t sequence)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    char buffer[11];
    if (sequence < 1 || !put_number(sequence, 11, buffer)) {
        return sequence_error(k_name, sequence, 11);
    }
    NossoNumero out;
    out.number.assign(buffer, 11);
    out.dv.assign(1, nosso_dv(account->carteira, out.number));
    out.display.assign(account->carteira, 2).append(1, '/').append(out.number).append(1, '-').append(out.dv);
    return out;
}

Result<std::string> campo_livre(const Beneficiary& in, const NossoNumero& nosso)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    const char dv = nosso.number.size() == 11 ? nosso_dv(account->carteira, nosso.number) : '0';
    const Result<void> checked = check_nosso(k_name, nosso, 11, std::string_view(&dv, 1));
    if (!checked) {
        return tl::unexpected(checked.error());
    }
    std::string out;
    out.reserve(25);
    out.append(account->agency, 4).append(account->carteira, 2).append(nosso.number).append(account->account, 7);
    out.append(1, '0');
    return out;
}

std::string beneficiary_code(const Beneficiary& in)
{
    return with_digit(in.agency, in.agency_digit) + " / " + with_digit(in.account, in.account_digit);
}

}  // namespace

extern const Bank bradesco{
    .code = "237",
    .code_dv = "237-2",
    .name = "Banco Bradesco S.A.",
    .cnab240 = true,
    .cnab400 = true,
    .nosso_numero = nosso_numero,
    .campo_livre = campo_livre,
    .beneficiary_code = beneficiary_code,
};

}  // namespace billrun::boleto::banks
