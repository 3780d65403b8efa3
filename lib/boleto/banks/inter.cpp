// Banco Inter 077, boletos registered through its Cobrança v3 API, where the bank chooses the
// nosso número (lib/bankapi/providers/inter_cobranca_v3.cpp). billrun never numbers an Inter
// boleto; it recomputes the barcode from the number the bank gave and requires the bank's own
// barcode to equal it.
//
// Account fields: convenio = the operação Inter prints in the campo livre (up to 7 digits,
// zero-filled); agency and carteira are fixed by the bank (0001, 112) and not read.
// Campo livre (laravel-boleto Inter.php, the only layout source found): agência 0001 (4) +
// carteira 112 (3) + operação (7) + nosso número (10) + its DV (1).
#include "common.hpp"

namespace billrun::boleto::banks {

namespace {

using namespace detail;

constexpr std::string_view k_name = "Banco Inter";

Result<NossoNumero> nosso_numero(const Beneficiary&, std::int64_t)
{
    return fail(ErrorCode::config, "Banco Inter chooses the nosso número itself: its boletos are registered through "
                                   "its API (registration: api, provider inter-cobranca-v3)");
}

Result<std::string> campo_livre(const Beneficiary& in, const NossoNumero& nosso)
{
    char operacao[7];
    if (!zero_fill(in.convenio, 7, operacao)) {
        return field_error(k_name, "operação (convenio)", in.convenio, "must have 1 to 7 digits");
    }
    if (nosso.number.size() != 10 || !all_digits(nosso.number) || nosso.dv.size() != 1 || !all_digits(nosso.dv)) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("{} nosso número '{}-{}' must have 10 digits and a digit", k_name, nosso.number, nosso.dv));
    }
    std::string out = "0001112";
    out.append(operacao, 7).append(nosso.number).append(nosso.dv);
    return out;
}

std::string beneficiary_code(const Beneficiary& in)
{
    return "0001 / " + with_digit(in.account, in.account_digit);
}

}  // namespace

extern const Bank inter{
    .code = "077",
    .code_dv = "077-9",
    .name = "Banco Inter S.A.",
    .cnab240 = false,
    .cnab400 = false,
    .nosso_numero = nosso_numero,
    .campo_livre = campo_livre,
    .beneficiary_code = beneficiary_code,
    .numbers_itself = true,
};

}  // namespace billrun::boleto::banks
