// Caixa Econômica Federal 104, SIGCB (FACTS.md §2.5; OpenBoleto Caixa.php, laravel Caixa.php).
//
// Account fields: agency (up to 4 digits, printed and in the remessa); convenio = código do
// beneficiário: up to 6 digits (zero-filled, the campo livre adds its DV) or 7 digits from
// 1100000 up (no DV; 1000000..1099999 do not exist; brcobranca gets these wrong); carteira RG,
// 1 or 14 (registered, issued by the beneficiary: "sem registro" ended in 2017); account optional.
// Nosso número: 14 + sequence(15), DV mod 11 weights 2..9, 11 - r, above 9 -> 0.
// Campo livre: código(6) + DV, or código(7); then NN[3-5] NN[1] NN[6-8] NN[2] NN[9-17]; then DV.
#include "common.hpp"

namespace billrun::boleto::banks {

namespace {

using namespace detail;

constexpr std::string_view k_name = "Caixa";

struct Account {
    char code[7];  // 6 digits + DV, or the 7-digit code
};

Result<Account> parse(const Beneficiary& in)
{
    Account out;
    if (in.convenio.size() == 7 && all_digits(in.convenio) && in.convenio >= "1100000") {
        in.convenio.copy(out.code, 7);
    } else if (zero_fill(in.convenio, 6, out.code)) {
        out.code[6] = dv_mod11_high_zero(std::string_view(out.code, 6));
    } else {
        return field_error(k_name, "código do beneficiário (convenio)", in.convenio,
                           "must have up to 6 digits, or 7 digits from 1100000 up");
    }
    if (in.carteira != "RG" && in.carteira != "1" && in.carteira != "14") {
        return field_error(k_name, "carteira", in.carteira,
                           "must be RG (or 1, or 14): registered, issued by the beneficiary");
    }
    char agency[4];
    if (!zero_fill(in.agency, 4, agency)) {
        return field_error(k_name, "agency", in.agency, "must have 1 to 4 digits");
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

Result<NossoNumero> nosso_numero(const Beneficiary& in, std::int64_t sequence)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    char buffer[17] = {'1', '4'};
    if (sequence < 1 || !put_number(sequence, 15, buffer + 2)) {
        return sequence_error(k_name, sequence, 15);
    }
    NossoNumero out;
    out.number.assign(buffer, 17);
    out.dv.assign(1, dv_mod11_high_zero(out.number));
    out.display = out.number + '-' + out.dv;
    return out;
}

Result<std::string> campo_livre(const Beneficiary& in, const NossoNumero& nosso)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    const char dv = nosso.number.size() == 17 ? dv_mod11_high_zero(nosso.number) : '0';
    const Result<void> checked = check_nosso(k_name, nosso, 17, std::string_view(&dv, 1));
    if (!checked) {
        return tl::unexpected(checked.error());
    }
    const std::string_view nn = nosso.number;
    if ((nn[0] != '1' && nn[0] != '2') || nn[1] != '4') {
        return fail(ErrorCode::data_invalid,
                    fmt::format("{} nosso número '{}' must start with 14 (or 24): SIGCB, issued by the beneficiary",
                                k_name, nosso.number));
    }
    std::string out;
    out.reserve(25);
    out.append(account->code, 7);
    out.append(nn.substr(2, 3)).append(1, nn[0]).append(nn.substr(5, 3)).append(1, nn[1]).append(nn.substr(8, 9));
    out.append(1, dv_mod11_high_zero(out));
    return out;
}

std::string beneficiary_code(const Beneficiary& in)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return in.agency + " / " + in.convenio;
    }
    const bool seven = in.convenio.size() == 7;
    const std::string code = seven ? in.convenio : std::string(account->code, 6) + '-' + account->code[6];
    return with_digit(in.agency, in.agency_digit) + " / " + code;
}

}  // namespace

extern const Bank caixa{
    .code = "104",
    .code_dv = "104-0",
    .name = "Caixa Econômica Federal",
    .cnab240 = true,
    .cnab400 = true,
    .nosso_numero = nosso_numero,
    .campo_livre = campo_livre,
    .beneficiary_code = beneficiary_code,
};

}  // namespace billrun::boleto::banks
