// Banco do Brasil 001 (FACTS.md §2.5; brcobranca banco_brasil.rb, laravel Bb.php).
//
// Account fields: agency (up to 4 digits) and account (up to 8), zero-filled; convenio, whose
// length picks the layout (4, 6, 7 or 8 digits, never padded); carteira 11, 12, 15, 16, 17, 18,
// 31 or 51. With a convênio of 6, carteira "16/21" or "18/21" selects service 21, the 17-digit
// "nosso número livre". Nosso número from the account's sequence:
//   convênio 4: convênio + sequence(7), DV mod 11 weights 9..2 ('X' for 10);
//   convênio 6: convênio + sequence(5), same DV;     service 21: sequence(17), no DV;
//   convênio 7: convênio + sequence(10), no DV;      convênio 8: convênio + sequence(9), no DV.
#include <array>

#include "common.hpp"

namespace billrun::boleto::banks {

namespace {

using namespace detail;

constexpr std::string_view k_name = "Banco do Brasil";
constexpr std::array<std::string_view, 8> k_carteiras{"11", "12", "15", "16", "17", "18", "31", "51"};

enum class Layout { convenio4, convenio6, convenio6_livre, convenio7, convenio8 };

struct Account {
    Layout layout = Layout::convenio7;
    std::string_view convenio;
    char agency[4];
    char account[8];
    char carteira[2];
};

bool known_carteira(std::string_view carteira)
{
    for (const std::string_view known : k_carteiras) {
        if (carteira == known) {
            return true;
        }
    }
    return false;
}

Result<Account> parse(const Beneficiary& in)
{
    Account out;
    out.convenio = in.convenio;
    if (!all_digits(in.convenio) || in.convenio.empty()) {
        return field_error(k_name, "convênio", in.convenio, "must have 4, 6, 7 or 8 digits");
    }
    switch (in.convenio.size()) {
    case 4: out.layout = Layout::convenio4; break;
    case 6: out.layout = Layout::convenio6; break;
    case 7: out.layout = Layout::convenio7; break;
    case 8: out.layout = Layout::convenio8; break;
    default: return field_error(k_name, "convênio", in.convenio, "must have 4, 6, 7 or 8 digits");
    }
    std::string_view carteira = in.carteira;
    const std::size_t slash = carteira.find('/');
    if (slash != std::string_view::npos) {
        const bool carteira_16_18 = carteira.substr(0, slash) == "16" || carteira.substr(0, slash) == "18";
        if (carteira.substr(slash + 1) != "21" || !carteira_16_18) {
            return field_error(k_name, "carteira", in.carteira,
                               "must be 11, 12, 15, 16, 17, 18, 31 or 51, or 16/21 or 18/21 (service 21)");
        }
        if (out.layout != Layout::convenio6) {
            return field_error(k_name, "carteira", in.carteira,
                               "(service 21, the 17-digit nosso número livre) needs a convênio of 6 digits");
        }
        out.layout = Layout::convenio6_livre;
        carteira = carteira.substr(0, slash);
    }
    if (!known_carteira(carteira)) {
        return field_error(k_name, "carteira", in.carteira,
                           "must be 11, 12, 15, 16, 17, 18, 31 or 51, or 16/21 or 18/21 (service 21)");
    }
    carteira.copy(out.carteira, 2);
    if (!zero_fill(in.agency, 4, out.agency)) {
        return field_error(k_name, "agency", in.agency, "must have 1 to 4 digits");
    }
    if (!zero_fill(in.account, 8, out.account)) {
        return field_error(k_name, "account", in.account, "must have 1 to 8 digits");
    }
    if (!valid_digit_field(in.agency_digit, "Xx")) {
        return field_error(k_name, "agency_digit", in.agency_digit, "must be one digit or X");
    }
    if (!valid_digit_field(in.account_digit, "Xx")) {
        return field_error(k_name, "account_digit", in.account_digit, "must be one digit or X");
    }
    return out;
}

// Digits of the sequence after the convênio; 0 for service 21, which has no convênio prefix.
std::size_t sequence_width(Layout layout)
{
    switch (layout) {
    case Layout::convenio4: return 7;
    case Layout::convenio6: return 5;
    case Layout::convenio6_livre: return 17;
    case Layout::convenio7: return 10;
    case Layout::convenio8: return 9;
    }
    return 0;
}

bool has_dv(Layout layout)
{
    return layout == Layout::convenio4 || layout == Layout::convenio6;
}

Result<NossoNumero> nosso_numero(const Beneficiary& in, std::int64_t sequence)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    const std::size_t width = sequence_width(account->layout);
    const std::size_t prefix = account->layout == Layout::convenio6_livre ? 0 : account->convenio.size();
    char buffer[17];
    account->convenio.copy(buffer, prefix);
    if (sequence < 1 || !put_number(sequence, width, buffer + prefix)) {
        return sequence_error(k_name, sequence, width);
    }
    NossoNumero out;
    out.number.assign(buffer, prefix + width);
    out.display = out.number;
    if (has_dv(account->layout)) {
        out.dv.assign(1, dv_mod11_9_to_2(out.number));
        out.display.append(1, '-').append(out.dv);
    }
    return out;
}

Result<std::string> campo_livre(const Beneficiary& in, const NossoNumero& nosso)
{
    const Result<Account> account = parse(in);
    if (!account) {
        return tl::unexpected(account.error());
    }
    const Layout layout = account->layout;
    const std::size_t width = has_dv(layout) ? 11 : 17;
    const char dv = has_dv(layout) && nosso.number.size() == width ? dv_mod11_9_to_2(nosso.number) : '\0';
    const Result<void> checked = check_nosso(k_name, nosso, width, has_dv(layout) ? std::string_view(&dv, 1) : "");
    if (!checked) {
        return tl::unexpected(checked.error());
    }
    if (layout != Layout::convenio6_livre && !nosso.number.starts_with(account->convenio)) {
        return fail(ErrorCode::data_invalid, fmt::format("{} nosso número '{}' does not start with the convênio {}",
                                                         k_name, nosso.number, account->convenio));
    }
    std::string out;
    out.reserve(25);
    switch (layout) {
    case Layout::convenio4:
    case Layout::convenio6:  // nosso(11) + agência(4) + conta(8) + carteira(2)
        out.append(nosso.number).append(account->agency, 4).append(account->account, 8).append(account->carteira, 2);
        break;
    case Layout::convenio6_livre:  // convênio(6) + nosso(17) + service 21
        out.append(account->convenio).append(nosso.number).append("21");
        break;
    case Layout::convenio7:
    case Layout::convenio8:  // 000000 + nosso(17) + carteira(2)
        out.append("000000").append(nosso.number).append(account->carteira, 2);
        break;
    }
    return out;
}

std::string beneficiary_code(const Beneficiary& in)
{
    return with_digit(in.agency, in.agency_digit) + " / " + with_digit(in.account, in.account_digit);
}

}  // namespace

extern const Bank banco_do_brasil{
    .code = "001",
    .code_dv = "001-9",
    .name = "Banco do Brasil S.A.",
    .cnab240 = true,
    .cnab400 = true,
    .nosso_numero = nosso_numero,
    .campo_livre = campo_livre,
    .beneficiary_code = beneficiary_code,
};

}  // namespace billrun::boleto::banks
