// Santander 033 (FACTS.md §2.5; brcobranca santander.rb, laravel Santander.php).
//
// Account fields: agency (up to 4 digits, printed and in the remessa); convenio = código do
// beneficiário (up to 7 digits, zero-filled; the bank-issued code, not the conta: BoletoNet
// #307); carteira 101, 102 or 201, written in full; account optional (up to 9 digits).
// Nosso número: sequence(12) + DV (mod 11, weights 2..9, remainder 0 or 1 -> 0). IOF is 0.
// Campo livre: 9 + código(7) + nosso(12) + DV + IOF(1) + carteira(3).
#include "common.hpp"

namespace billrun::boleto::banks {

namespace {

using namespace detail;

constexpr std::string_view k_name = "Santander";

struct Account {
    char code[7];
    std::string_view carteira;
};

Result<Account> parse(const Beneficiary& in)
{
    Account out;
    if (!zero_fill(in.convenio, 7, out.code)) {
        return field_error(k_name, "código do beneficiário (convenio)", in.convenio, "must have 1 to 7 digits");
    }
    if (in.carteira != "101" && in.carteira != "102" && in.carteira != "201") {
        return field_error(k_name, "carteira", in.carteira, "must be 101, 102 or 201");
    }
    out.carteira = in.carteira;
    char agency[4];
    if (!zero_fill(in.agency, 4, agency)) {
        return field_error(k_name, "agency", in.agency, "must have 1 to 4 digits");
    }
    if (!in.account.empty() && (in.account.size() > 9 || !all_digits(in.account))) {
        return field_error(k_name, "account", in.account, "must have up to 9 digits");
    }
    if (!valid_digit_field(in.agency_digit, "")) {
        return field_error(k_name, "agency_digit", in.agency_digit, "must be one digit");
    }
    if (!valid_digit_field(in.account_digit, "")) {
        return field_error(k_name, "account_digit", in.account_digit, "must be one digit");
    }
    return out;
}

Result<NossoNumero> nosso_numero(const Beneficiary& in, std::int64_t sequence)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    char buffer[12];
    if (sequence < 1 || !put_number(sequence, 12, buffer)) {
        return sequence_error(k_name, sequence, 12);
    }
    NossoNumero out;
    out.number.assign(buffer, 12);
    out.dv.assign(1, dv_mod11_low_zero(out.number));
    out.display = out.number + '-' + out.dv;
    return out;
}

Result<std::string> campo_livre(const Beneficiary& in, const NossoNumero& nosso)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    const char dv = nosso.number.size() == 12 ? dv_mod11_low_zero(nosso.number) : '0';
    const Result<void> checked = check_nosso(k_name, nosso, 12, std::string_view(&dv, 1));
    if (!checked) {
        return tl::unexpected(checked.error());
    }
    std::string out;
    out.reserve(25);
    out.append(1, '9').append(account->code, 7).append(nosso.number).append(1, dv).append(1, '0');
    out.append(account->carteira);
    return out;
}

std::string beneficiary_code(const Beneficiary& in)
{
    char code[7];
    const std::string printed = zero_fill(in.convenio, 7, code) ? std::string(code, 7) : in.convenio;
    return with_digit(in.agency, in.agency_digit) + " / " + printed;
}

}  // namespace

extern const Bank santander{
    .code = "033",
    .code_dv = "033-7",
    .name = "Banco Santander (Brasil) S.A.",
    .cnab240 = true,
    .cnab400 = true,
    .nosso_numero = nosso_numero,
    .campo_livre = campo_livre,
    .beneficiary_code = beneficiary_code,
};

}  // namespace billrun::boleto::banks
