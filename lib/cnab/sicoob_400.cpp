// Sicoob (756) CNAB 400: juros and multa as rates inside the detail (brcobranca
// remessa/cnab400/sicoob.rb, fixture sicoob-400-remessa-brcobranca.rem).
#include <algorithm>

#include "banks.hpp"
#include "cnab400.hpp"

namespace billrun::cnab::detail {

namespace {

// Sicoob takes juros as a monthly rate with four decimals (022000 = 2.2% a month): the
// daily amount times 30 over the title's amount.
std::int64_t monthly_rate(const Title& t)
{
    if (t.interest_per_day <= 0 || t.amount <= 0) {
        return 0;
    }
    const std::int64_t rate = div_round_half_even(t.interest_per_day * 30 * 1'000'000, t.amount);
    return std::min<std::int64_t>(rate, 999'999);
}

class Sicoob400 final : public Cnab400Writer {
public:
    explicit Sicoob400(const RemessaHeader& header)
        : Cnab400Writer(header), m_modalidade(parse_sicoob_carteira(header.account.carteira)->modalidade)
    {
    }

private:
    void file_header(Record& r) const override
    {
        const Account& a = head().account;
        r.digits(27, 4, a.agency);
        r.text(31, 1, a.agency_digit);
        r.digits(32, 9, a.convenio);  // código do cliente with its DV
        r.text(47, 30, head().company_name);
        r.lit(80, "BANCOOBCED");
        r.num(101, 7, head().sequence);
    }

    void title_records(const Title& t, std::string& out) override
    {
        const Account& a = head().account;
        Record r = next_record(out);
        r.lit(1, "1");
        company(r);
        r.digits(18, 4, a.agency);
        r.text(22, 1, a.agency_digit);
        r.digits(23, 8, a.account);
        r.text(31, 1, a.account_digit);
        r.zeros(32, 6);  // convênio de cobrança
        r.text(38, 25, t.seu_numero);
        r.digits(63, 12, t.nosso_numero + t.nosso_numero_dv);
        r.lit(75, "0100");  // parcela 01, grupo de valor 00
        r.zeros(86, 16);    // variação, conta caução, contrato and DV, borderô
        r.lit(106, "2");    // the beneficiary issues the boleto
        r.lit(107, m_modalidade);
        r.lit(109, movement_code(t.movement));  // ocorrência: 01 remessa, 02 pedido de baixa
        r.text(111, 10, t.seu_numero);
        r.date6(121, t.due_date);
        r.num(127, 13, t.amount);
        r.lit(140, "756");
        r.digits(143, 4, a.agency);
        r.text(147, 1, a.agency_digit);
        r.lit(148, "010");  // duplicata mercantil, aceite N (0)
        r.date6(151, t.issue_date);
        r.zeros(157, 4);  // instruções
        r.num(161, 6, monthly_rate(t));
        r.num(167, 6, static_cast<std::int64_t>(t.fine_percent) * 100);
        r.lit(173, "2");   // the beneficiary delivers the boleto
        r.zeros(174, 45);  // desconto (data, valor), IOF, abatimento
        payer_id(r, t.payer);
        r.text(235, 40, t.payer.name);
        r.text(275, 37, t.payer.address);
        r.text(312, 15, t.payer.district);
        r.digits_in(327, 8, t.payer.zip);
        r.text(335, 15, t.payer.city);
        r.text(350, 2, t.payer.state);
        r.zeros(392, 2);  // dias para protesto: the cooperative's default
    }

    void file_trailer(Record& r) const override
    {
        r.zeros(2, 393);
    }

    std::string m_modalidade;
};

}  // namespace

std::optional<SicoobCarteira> parse_sicoob_carteira(std::string_view carteira)
{
    const std::size_t slash = carteira.find('/');
    const std::string_view number = carteira.substr(0, slash);
    const std::string_view modalidade =
        slash == std::string_view::npos ? number : carteira.substr(slash + 1);
    if ((number != "1" && number != "3") || modalidade.empty() || modalidade.size() > 2 ||
        !all_digits(modalidade) || zero_pad(modalidade, 2) == "00") {
        return std::nullopt;
    }
    return SicoobCarteira{std::string(number), zero_pad(modalidade, 2)};
}

Result<std::unique_ptr<RemessaWriter>> make_sicoob_400(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Sicoob CNAB 400", header);
    check.digits("agency", a.agency, 4)
        .dv("agency_digit", a.agency_digit)
        .digits("account", a.account, 8)
        .dv("account_digit", a.account_digit)
        .require(parse_sicoob_carteira(a.carteira).has_value(),
                 "carteira must be 1 or 3, or carteira/modalidade (\"1/02\"), not \"" + a.carteira + "\"")
        .digits("convenio", a.convenio, 9);
    return checked<Sicoob400>(check.result(), header);
}

}  // namespace billrun::cnab::detail
