// Sicoob 756 (FACTS.md §2.5; brcobranca sicoob.rb, laravel CalculoDV::bancoobNossoNumero).
//
// Account fields: agency = cooperativa (up to 4 digits) and convenio = código do beneficiário
// (up to 7 digits), zero-filled; account optional. billrun.yaml has no modalidade key, so
// carteira carries it: "1" or "3" alone (modalidade 01 for carteira 1, simples com registro;
// 03 for carteira 3, garantida caucionada), or "carteira/modalidade" such as "1/02" or "1/05".
// Nosso número: sequence(7), DV with weights 3, 1, 9, 7 from the left over cooperativa(4) +
// código(10, zero-filled) + nosso(7), remainder 0 or 1 -> 0, else 11 - r; printed "0000002-4".
// Campo livre: carteira(1) + cooperativa(4) + modalidade(2) + código(7) + nosso(7) + DV +
// parcela 001.
#include <algorithm>

#include "common.hpp"

namespace billrun::boleto::banks {

namespace {

using namespace detail;

constexpr std::string_view k_name = "Sicoob";

struct Account {
    char carteira = '1';
    char modalidade[2];
    char agency[4];
    char code[7];
};

Result<Account> parse(const Beneficiary& in)
{
    Account out;
    const std::string_view carteira = std::string_view(in.carteira).substr(0, in.carteira.find('/'));
    if (carteira != "1" && carteira != "3") {
        return field_error(k_name, "carteira", in.carteira,
                           "must be 1 or 3, optionally with the modalidade as carteira/modalidade (1/02)");
    }
    out.carteira = carteira[0];
    if (carteira.size() == in.carteira.size()) {
        out.modalidade[0] = '0';
        out.modalidade[1] = out.carteira;
    } else if (!zero_fill(std::string_view(in.carteira).substr(carteira.size() + 1), 2, out.modalidade) ||
               std::string_view(out.modalidade, 2) == "00") {
        return field_error(k_name, "carteira", in.carteira, "has a modalidade after '/' that is not 01 to 99");
    }
    if (!zero_fill(in.agency, 4, out.agency)) {
        return field_error(k_name, "cooperativa (agency)", in.agency, "must have 1 to 4 digits");
    }
    if (!zero_fill(in.convenio, 7, out.code)) {
        return field_error(k_name, "código do beneficiário (convenio)", in.convenio, "must have 1 to 7 digits");
    }
    if (!in.account.empty() && (in.account.size() > 12 || !all_digits(in.account))) {
        return field_error(k_name, "account", in.account, "must have up to 12 digits");
    }
    if (!valid_digit_field(in.agency_digit, "")) {
        return field_error(k_name, "agency_digit", in.agency_digit, "must be one digit");
    }
    if (!valid_digit_field(in.account_digit, "")) {
        return field_error(k_name, "account_digit", in.account_digit, "must be one digit");
    }
    return out;
}

char nosso_dv(const Account& account, std::string_view nosso7)
{
    char digits[21] = {};
    std::copy_n(account.agency, 4, digits);
    digits[4] = '0';
    digits[5] = '0';
    digits[6] = '0';
    std::copy_n(account.code, 7, digits + 7);
    nosso7.copy(digits + 14, 7);
    return dv_3197(std::string_view(digits, 21));
}

Result<NossoNumero> nosso_numero(const Beneficiary& in, std::int64_t sequence)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    char buffer[7];
    if (sequence < 1 || !put_number(sequence, 7, buffer)) {
        return sequence_error(k_name, sequence, 7);
    }
    NossoNumero out;
    out.number.assign(buffer, 7);
    out.dv.assign(1, nosso_dv(*account, out.number));
    out.display = out.number + '-' + out.dv;
    return out;
}

Result<std::string> campo_livre(const Beneficiary& in, const NossoNumero& nosso)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    const char dv = nosso.number.size() == 7 ? nosso_dv(*account, nosso.number) : '0';
    const Result<void> checked = check_nosso(k_name, nosso, 7, std::string_view(&dv, 1));
    if (!checked) {
        return tl::unexpected(checked.error());
    }
    std::string out;
    out.reserve(25);
    out.append(1, account->carteira).append(account->agency, 4).append(account->modalidade, 2);
    out.append(account->code, 7).append(nosso.number).append(1, dv).append("001");
    return out;
}

std::string beneficiary_code(const Beneficiary& in)
{
    return with_digit(in.agency, in.agency_digit) + " / " + in.convenio;
}

}  // namespace

extern const Bank sicoob{
    .code = "756",
    .code_dv = "756-0",
    .name = "Banco Cooperativo Sicoob S.A.",
    .cnab240 = true,
    .cnab400 = true,
    .nosso_numero = nosso_numero,
    .campo_livre = campo_livre,
    .beneficiary_code = beneficiary_code,
};

}  // namespace billrun::boleto::banks
