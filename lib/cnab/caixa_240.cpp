// Caixa Econômica Federal (104) CNAB 240 SIGCB, layout 050 / lote 030 (brcobranca
// remessa/cnab240/caixa.rb, fixture caixa-240-remessa-brcobranca.rem).
#include "banks.hpp"
#include "cnab240.hpp"

namespace billrun::cnab::detail {

namespace {

// The 17-digit nosso número: modalidade (14 = registrada, emitida pelo beneficiário) and
// 15 digits, unless the boleto's number already carries the modalidade.
std::string nosso_numero_17(const Account& a, const Title& t)
{
    if (t.nosso_numero.size() == 17) {
        return t.nosso_numero;
    }
    const std::string modalidade =
        a.carteira.size() == 2 && all_digits(a.carteira) ? a.carteira : std::string("14");
    return modalidade + zero_pad(t.nosso_numero, 15);
}

class Caixa240 final : public Cnab240Writer {
public:
    explicit Caixa240(const RemessaHeader& header) : Cnab240Writer(header) {}

private:
    // Header 53-72, lote header 54-73: agência, DV, beneficiary code, zeros.
    void account_block(Record& r, int pos) const
    {
        const Account& a = head().account;
        r.digits(pos, 5, a.agency);
        r.text(pos + 5, 1, a.agency_digit);
        r.digits(pos + 6, 6, a.convenio);
        r.zeros(pos + 12, 8);
    }

    void file_header(Record& r) const override
    {
        r.fill(18, 1, company_kind());
        r.digits(19, 14, company_id());
        r.zeros(33, 20);
        account_block(r, 53);
        r.text(73, 30, head().company_name);
        r.lit(103, "CAIXA ECONOMICA FEDERAL");
        r.digits(152, 6, head().generated_time);
        r.lit(164, "050");
        r.zeros(167, 5);  // densidade
        r.lit(192, "REMESSA-PRODUCAO");
    }

    void lote_header(Record& r) const override
    {
        r.lit(12, "00030");  // 12-13 zeros, 14-16 layout
        r.fill(18, 1, company_kind());
        r.digits(19, 15, company_id());
        r.digits(34, 6, head().account.convenio);
        r.zeros(40, 14);
        account_block(r, 54);
        r.text(74, 30, head().company_name);
    }

    void segment_p(Record& r, const Title& t) const override
    {
        const Account& a = head().account;
        r.digits(18, 5, a.agency);
        r.text(23, 1, a.agency_digit);
        r.digits(24, 6, a.convenio);
        r.zeros(30, 11);
        r.digits(41, 17, nosso_numero_17(a, t));
        r.lit(58, "11220");  // simples, com cadastramento, escritural, beneficiário emite e distribui
        r.text(63, 11, t.seu_numero);
        p_title_block(r, t, '3');
        r.zeros(101, 6);  // agência cobradora and its DV
        r.text(196, 25, t.seu_numero);
        r.lit(221, "300");     // não protestar
        r.lit(224, "1120");    // baixar/devolver after 120 days
        r.lit(228, "09");      // real
        r.zeros(230, 10);
    }

    void lote_trailer(Record& r) const override
    {
        r.zeros(24, 69);  // simples, caucionada, descontada: quantity and total
        lote_totals(r);
    }
};

}  // namespace

Result<std::unique_ptr<RemessaWriter>> make_caixa_240(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Caixa CNAB 240", header);
    check.digits("agency", a.agency, 5)
        .dv("agency_digit", a.agency_digit)
        .digits("convenio", a.convenio, 6);
    return checked<Caixa240>(check.result(), header);
}

}  // namespace billrun::cnab::detail
