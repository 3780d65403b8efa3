// Itaú 341 (FACTS.md §2.5; brcobranca itau.rb, OpenBoleto Itau.php quoting the manual's Anexo 4).
//
// Account fields: agency (up to 4 digits) and account (up to 5), zero-filled; account_digit,
// when given, must be the DAC mod10(agência + conta) the campo livre carries; carteira of 3
// digits. The special carteiras 106, 107, 122, 142, 143, 195, 196 and 198 also need the código
// do cliente (5 digits) in convenio, and take the seu número from the nosso número (its last 7
// digits, so the sequence stops at 9999999 there).
// Nosso número: sequence(8); DAC mod10(agência + conta + carteira + nosso), or mod10(carteira +
// nosso) for carteiras 126, 131, 146, 150 and 168 (not 112: OpenBoleto's vector; laravel has no
// exceptions at all); printed "175/12345678-4".
// Campo livre, standard: carteira(3) + nosso(8) + DAC + agência(4) + conta(5) + DAC(agência +
// conta) + 000; special: carteira(3) + nosso(8) + seu número(7) + cliente(5) + mod10 + 0.
#include <algorithm>
#include <array>

#include <billrun/boleto/febraban.hpp>

#include "common.hpp"

namespace billrun::boleto::banks {

namespace {

using namespace detail;

constexpr std::string_view k_name = "Itaú";
constexpr std::array<std::string_view, 5> k_dac_exceptions{"126", "131", "146", "150", "168"};
constexpr std::array<std::string_view, 8> k_special{"106", "107", "122", "142", "143", "195", "196", "198"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view value)
{
    for (const std::string_view entry : list) {
        if (entry == value) {
            return true;
        }
    }
    return false;
}

struct Account {
    char agency_account[9];  // agência(4) + conta(5)
    char carteira[3];
    char cliente[5];
    bool special = false;
    bool dac_exception = false;
    char account_dac = '0';
};

Result<Account> parse(const Beneficiary& in)
{
    Account out;
    if (!zero_fill(in.carteira, 3, out.carteira)) {
        return field_error(k_name, "carteira", in.carteira, "must have 3 digits");
    }
    const std::string_view carteira(out.carteira, 3);
    out.special = contains(k_special, carteira);
    out.dac_exception = contains(k_dac_exceptions, carteira);
    if (!zero_fill(in.agency, 4, out.agency_account)) {
        return field_error(k_name, "agency", in.agency, "must have 1 to 4 digits");
    }
    if (!zero_fill(in.account, 5, out.agency_account + 4)) {
        return field_error(k_name, "account", in.account, "must have 1 to 5 digits");
    }
    out.account_dac = static_cast<char>('0' + mod10(std::string_view(out.agency_account, 9)));
    if (!in.account_digit.empty() && (in.account_digit.size() != 1 || in.account_digit[0] != out.account_dac)) {
        return field_error(k_name, "account_digit", in.account_digit,
                           fmt::format("does not match agency {} and account {} (their DAC is {})", in.agency,
                                       in.account, out.account_dac));
    }
    if (!valid_digit_field(in.agency_digit, "")) {
        return field_error(k_name, "agency_digit", in.agency_digit, "must be one digit");
    }
    if (out.special && !zero_fill(in.convenio, 5, out.cliente)) {
        return field_error(k_name, "código do cliente (convenio)", in.convenio,
                           fmt::format("must have 1 to 5 digits for carteira {}", carteira));
    }
    return out;
}

char nosso_dac(const Account& account, std::string_view nosso8)
{
    char digits[20];
    std::size_t n = 0;
    if (!account.dac_exception) {
        std::copy_n(account.agency_account, 9, digits);
        n = 9;
    }
    std::copy_n(account.carteira, 3, digits + n);
    nosso8.copy(digits + n + 3, 8);
    return static_cast<char>('0' + mod10(std::string_view(digits, n + 11)));
}

Result<NossoNumero> nosso_numero(const Beneficiary& in, std::int64_t sequence)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    const std::size_t width = account->special ? 7 : 8;  // special: the seu número is the sequence too
    char buffer[8];
    buffer[0] = '0';
    if (sequence < 1 || !put_number(sequence, width, buffer + 8 - width)) {
        return sequence_error(k_name, sequence, width);
    }
    NossoNumero out;
    out.number.assign(buffer, 8);
    out.dv.assign(1, nosso_dac(*account, out.number));
    out.display.assign(account->carteira, 3).append(1, '/').append(out.number).append(1, '-').append(out.dv);
    return out;
}

Result<std::string> campo_livre(const Beneficiary& in, const NossoNumero& nosso)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    const char dac = nosso.number.size() == 8 ? nosso_dac(*account, nosso.number) : '0';
    const Result<void> checked = check_nosso(k_name, nosso, 8, std::string_view(&dac, 1));
    if (!checked) {
        return tl::unexpected(checked.error());
    }
    const std::string_view carteira(account->carteira, 3);
    if (account->special) {
        if (nosso.number[0] != '0') {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{} nosso número '{}' is too large for carteira {}: its last 7 digits are the "
                                    "seu número",
                                    k_name, nosso.number, carteira));
        }
        return itau_special_campo_livre(carteira, nosso.number, std::string_view(nosso.number).substr(1),
                                        std::string_view(account->cliente, 5));
    }
    std::string out;
    out.reserve(25);
    out.append(carteira).append(nosso.number).append(1, dac).append(account->agency_account, 9);
    out.append(1, account->account_dac).append("000");
    return out;
}

std::string beneficiary_code(const Beneficiary& in)
{
    const Result<Account> account = parse(in);
    const std::string digit = account ? std::string(1, account->account_dac) : in.account_digit;
    return in.agency + " / " + with_digit(in.account, digit);
}

}  // namespace

extern const Bank itau{
    .code = "341",
    .code_dv = "341-7",
    .name = "Itaú Unibanco S.A.",
    .cnab240 = true,
    .cnab400 = true,
    .nosso_numero = nosso_numero,
    .campo_livre = campo_livre,
    .beneficiary_code = beneficiary_code,
};

}  // namespace billrun::boleto::banks

namespace billrun::boleto::detail {

std::string itau_special_campo_livre(std::string_view carteira3, std::string_view nosso8, std::string_view seu7,
                                     std::string_view cliente5)
{
    std::string out;
    out.reserve(25);
    out.append(carteira3).append(nosso8).append(seu7).append(cliente5);
    out.append(1, static_cast<char>('0' + mod10(out))).append(1, '0');
    return out;
}

}  // namespace billrun::boleto::detail
