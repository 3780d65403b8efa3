// Sicoob (756) CNAB 240, layout 081 / lote 040 (brcobranca remessa/cnab240/sicoob.rb,
// fixture sicoob-240-remessa-brcobranca.rem).
#include "banks.hpp"
#include "cnab240.hpp"

namespace billrun::cnab::detail {

namespace {

class Sicoob240 final : public Cnab240Writer {
public:
    explicit Sicoob240(const RemessaHeader& header)
        : Cnab240Writer(header), m_carteira(*parse_sicoob_carteira(header.account.carteira))
    {
    }

private:
    // Header 53-72, lote header 54-73, P 18-37: cooperativa, DV, conta, DV, blank.
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
        account_block(r, 53);
        r.text(73, 30, head().company_name);
        r.lit(103, "SICOOB");
        r.digits(152, 6, head().generated_time);
        r.lit(164, "081");
        r.zeros(167, 5);  // densidade
    }

    void lote_header(Record& r) const override
    {
        r.lit(14, "040");
        r.fill(18, 1, company_kind());
        r.digits(19, 15, company_id());
        account_block(r, 54);
        r.text(74, 30, head().company_name);
    }

    void segment_p(Record& r, const Title& t) const override
    {
        account_block(r, 18);
        // Nosso número: número do título with its DV (10), parcela 01, modalidade, formulário
        // 4 (A4 sem envelopamento), 5 blanks.
        r.digits(38, 10, t.nosso_numero + t.nosso_numero_dv);
        r.lit(48, "01");
        r.lit(50, m_carteira.modalidade);
        r.lit(52, "4");
        r.lit(58, m_carteira.carteira);  // 1 simples, 3 caucionada
        r.lit(59, "0");                  // forma de cadastramento as Sicoob's sample
        r.lit(61, "22");  // beneficiário emite e distribui
        r.text(63, 15, t.seu_numero);
        p_title_block(r, t, '0');
        r.zeros(101, 5);  // agência cobradora; its DV at 106 stays blank
        r.text(196, 25, t.seu_numero);
        r.lit(221, "300");  // não protestar
        r.lit(224, "0");    // baixa: not used (225-227 blank)
        r.lit(228, "09");   // real
        r.zeros(230, 10);
    }

    void segment_r(Record& r, const Title& t) const override
    {
        Cnab240Writer::segment_r(r, t);
        r.zeros(200, 16);  // débito automático: ocorrência, banco, agência
        r.zeros(217, 12);
        r.lit(231, "0");
    }

    void lote_trailer(Record& r) const override
    {
        r.zeros(24, 92);  // simples, vinculada, caucionada, descontada: quantity and total
        lote_totals(r);
    }

    void file_trailer(Record& r) const override
    {
        r.zeros(30, 6);  // contas para conciliação
    }

    SicoobCarteira m_carteira;
};

}  // namespace

Result<std::unique_ptr<RemessaWriter>> make_sicoob_240(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Sicoob CNAB 240", header);
    check.digits("agency", a.agency, 5)
        .dv("agency_digit", a.agency_digit)
        .digits("account", a.account, 12)
        .dv("account_digit", a.account_digit)
        .require(parse_sicoob_carteira(a.carteira).has_value(),
                 "carteira must be 1 or 3, or carteira/modalidade (\"1/02\"), not \"" + a.carteira + "\"");
    return checked<Sicoob240>(check.result(), header);
}

}  // namespace billrun::cnab::detail
