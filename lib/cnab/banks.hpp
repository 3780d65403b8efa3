#pragma once
// One factory per bank and layout (private to lib/cnab); remessa.cpp lists them in its
// table. Each checks that the header's account fits the bank's fields before any record
// is written. Errors: config.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <billrun/cnab/remessa.hpp>

namespace billrun::cnab::detail {

using MakeWriter = Result<std::unique_ptr<RemessaWriter>> (*)(const RemessaHeader& header);

Result<std::unique_ptr<RemessaWriter>> make_bb_240(const RemessaHeader& header);
Result<std::unique_ptr<RemessaWriter>> make_bb_400(const RemessaHeader& header);
Result<std::unique_ptr<RemessaWriter>> make_santander_240(const RemessaHeader& header);
Result<std::unique_ptr<RemessaWriter>> make_santander_400(const RemessaHeader& header);
Result<std::unique_ptr<RemessaWriter>> make_caixa_240(const RemessaHeader& header);
Result<std::unique_ptr<RemessaWriter>> make_bradesco_400(const RemessaHeader& header);
Result<std::unique_ptr<RemessaWriter>> make_itau_400(const RemessaHeader& header);
Result<std::unique_ptr<RemessaWriter>> make_sicoob_240(const RemessaHeader& header);
Result<std::unique_ptr<RemessaWriter>> make_sicoob_400(const RemessaHeader& header);

// Banco do Brasil's carteira and its variação: "17" gets the usual variação 019 (billrun.yaml
// has no field of its own for it), "17-027" names another; a "/21" after it (service 21 of
// the boleto's nosso número) does not matter here. nullopt when malformed.
struct BbCarteira {
    std::string carteira;  // 2 digits
    std::string variacao;  // 3 digits
};
std::optional<BbCarteira> parse_bb_carteira(std::string_view carteira);

// Sicoob's carteira as the boleto takes it: "1" or "3" alone (modalidade 01 or 03), or
// "carteira/modalidade" such as "1/02". nullopt when malformed.
struct SicoobCarteira {
    std::string carteira;    // 1 digit
    std::string modalidade;  // 2 digits
};
std::optional<SicoobCarteira> parse_sicoob_carteira(std::string_view carteira);

// Checks of the header, for the factories. `what` names the layout in messages
// ("Banco do Brasil CNAB 240").
class AccountCheck {
public:
    AccountCheck(std::string_view what, const RemessaHeader& header);
    // 1..max_len digits (0..max_len when optional).
    AccountCheck& digits(std::string_view field, std::string_view value, std::size_t max_len,
                         bool required = true);
    // A check digit: empty or one letter or digit.
    AccountCheck& dv(std::string_view field, std::string_view value);
    AccountCheck& require(bool ok, std::string_view message);
    // The company (11 or 14 letters/digits after punctuation is dropped, a name) and the
    // time HHMMSS, then the first problem found, if any.
    Result<void> result();

private:
    std::string m_what;
    const RemessaHeader& m_header;
    std::string m_problem;
};

template <typename Writer>
Result<std::unique_ptr<RemessaWriter>> checked(Result<void> check, const RemessaHeader& header)
{
    if (!check) {
        return tl::unexpected(check.error());
    }
    return std::unique_ptr<RemessaWriter>(std::make_unique<Writer>(header));
}

}  // namespace billrun::cnab::detail
