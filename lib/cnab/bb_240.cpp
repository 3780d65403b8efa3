// Banco do Brasil (001) CNAB 240, layout 083 / lote 042, as brcobranca writes it
// (remessa/cnab240/banco_brasil.rb, fixture bb-240-remessa-brcobranca.rem).
#include "banks.hpp"
#include "cnab240.hpp"

namespace billrun::cnab::detail {

namespace {

class Bb240 final : public Cnab240Writer {
public:
    explicit Bb240(const RemessaHeader& header)
        : Cnab240Writer(header), m_carteira(*parse_bb_carteira(header.account.carteira))
    {
    }

private:
    // Header 33-52 and lote header 34-53: convênio, cobrança cedente 0014, carteira, variação.
    void convenio_block(Record& r, int pos) const
    {
        r.digits(pos, 9, head().account.convenio);
        r.lit(pos + 9, "0014");
        r.lit(pos + 13, m_carteira.carteira);
        r.lit(pos + 15, m_carteira.variacao);
    }

    // Header 53-72, lote header 54-73, P 18-37: agência, DV, conta, DV, blank DV ag/conta.
    void account_block(Record& r, int pos) const
    {
        const Account& a = head().account;
        r.digits(pos, 5, a.agency);
        r.text(pos + 5, 1, a.agency_digit);
        r.digits(pos + 6, 12, a.account);
        r.text(pos + 18, 1, a.account_digit);
    }

    void file_header(Record& r) const override
    {
        r.fill(18, 1, company_kind());
        r.digits(19, 14, company_id());
        convenio_block(r, 33);
        account_block(r, 53);
        r.text(73, 30, head().company_name);
        r.lit(103, "BANCO DO BRASIL SA");
        r.digits(152, 6, head().generated_time);
        r.lit(164, "083");
        r.zeros(167, 45);  // densidade, reservado banco, reservado empresa
    }

    void lote_header(Record& r) const override
    {
        r.lit(14, "042");
        r.fill(18, 1, company_kind());
        r.digits(19, 15, company_id());
        convenio_block(r, 34);
        account_block(r, 54);
        r.text(74, 30, head().company_name);
    }

    void segment_p(Record& r, const Title& t) const override
    {
        account_block(r, 18);
        r.text(38, 20, t.nosso_numero + t.nosso_numero_dv);  // convênio + número, left-aligned
        r.lit(58, m_carteira.carteira == "17" ? "7" : "1");  // 7 = carteira 17 simples
        r.lit(59, "1");                                      // com cadastramento
        r.lit(61, "00");                                     // emissão, distribuição: not used by BB
        r.text(63, 15, t.seu_numero);
        p_title_block(r, t, '3');
        r.zeros(101, 5);  // agência cobradora; its DV at 106 stays blank
        r.text(196, 25, t.seu_numero);
        r.lit(221, "300");     // não protestar, 0 days
        r.lit(224, "0000");    // baixa: not used
        r.lit(228, "09");      // real
        r.zeros(230, 10);
    }

    void segment_r(Record& r, const Title& t) const override
    {
        Cnab240Writer::segment_r(r, t);
        r.zeros(200, 16);  // ocorrência do pagador, banco, agência for débito automático
        r.zeros(217, 12);
        r.lit(231, "0");
    }

    void lote_trailer(Record& r) const override
    {
        r.zeros(24, 217);
        lote_totals(r);
    }

    BbCarteira m_carteira;
};

}  // namespace

std::optional<BbCarteira> parse_bb_carteira(std::string_view carteira)
{
    const std::string_view main = carteira.substr(0, carteira.find('/'));
    const std::size_t dash = main.find('-');
    const std::string_view number = main.substr(0, dash);
    const std::string_view variacao =
        dash == std::string_view::npos ? std::string_view("019") : main.substr(dash + 1);
    if (number.size() != 2 || variacao.size() != 3 || !all_digits(number) || !all_digits(variacao)) {
        return std::nullopt;
    }
    return BbCarteira{std::string(number), std::string(variacao)};
}

Result<std::unique_ptr<RemessaWriter>> make_bb_240(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Banco do Brasil CNAB 240", header);
    check.digits("agency", a.agency, 5)
        .dv("agency_digit", a.agency_digit)
        .digits("account", a.account, 12)
        .dv("account_digit", a.account_digit)
        .digits("convenio", a.convenio, 9)
        .require(parse_bb_carteira(a.carteira).has_value(),
                 "carteira must be 2 digits with an optional variação (\"17\", \"17-019\"), not \"" +
                     a.carteira + "\"");
    return checked<Bb240>(check.result(), header);
}

}  // namespace billrun::cnab::detail
