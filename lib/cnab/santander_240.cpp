// Santander (033) CNAB 240, layout 040 / lote 030. Santander moves the account fields of
// the headers and of segment P away from FEBRABAN's places (brcobranca
// remessa/cnab240/santander.rb, laravel-boleto Cnab240/Banco/Santander.php, fixture
// santander-240-remessa-brcobranca.rem).
#include <cstdlib>

#include "banks.hpp"
#include "cnab240.hpp"

namespace billrun::cnab::detail {

namespace {

// The 15-digit código de transmissão: given whole, or agência + 0000 + the 7-digit
// beneficiary code.
std::string transmission_code(const Account& a)
{
    if (a.convenio.size() == 15) {
        return a.convenio;
    }
    return zero_pad(a.agency, 4) + "0000" + zero_pad(a.convenio, 7);
}

class Santander240 final : public Cnab240Writer {
public:
    explicit Santander240(const RemessaHeader& header)
        : Cnab240Writer(header), m_transmission(transmission_code(header.account)),
          m_cobranca(std::atoi(header.account.carteira.c_str()) > 200 ? "1" : "5")
    {
    }

private:
    void file_header(Record& r) const override
    {
        r.fill(17, 1, company_kind());
        r.digits(18, 15, company_id());
        r.lit(33, m_transmission);
        r.text(73, 30, head().company_name);
        r.lit(103, "BANCO SANTANDER");
        r.lit(164, "040");
    }

    void lote_header(Record& r) const override
    {
        r.lit(14, "030");
        r.fill(18, 1, company_kind());
        r.digits(19, 15, company_id());
        r.lit(54, m_transmission);
        r.text(74, 30, head().company_name);
    }

    void segment_p(Record& r, const Title& t) const override
    {
        const Account& a = head().account;
        r.digits(18, 4, a.agency);
        r.text(22, 1, a.agency_digit);
        r.digits(23, 9, a.account);  // conta corrente
        r.text(32, 1, a.account_digit);
        r.digits(33, 9, a.account);  // conta cobrança
        r.text(42, 1, a.account_digit);
        r.digits(45, 13, t.nosso_numero + t.nosso_numero_dv);
        r.lit(58, m_cobranca);  // 5 = rápida com registro (101), 1 = eletrônica (201)
        r.lit(59, "12");        // com cadastramento, escritural
        r.text(63, 15, t.seu_numero);
        p_title_block(r, t, '3');
        r.zeros(101, 5);  // agência encarregada and its DV
        r.text(196, 25, t.seu_numero);
        r.lit(221, "000");   // não protestar
        r.lit(224, "3000");  // baixa by the beneficiary's profile
        r.lit(228, "00");    // real
    }

    void segment_q(Record& r, const Title& t) const override
    {
        Cnab240Writer::segment_q(r, t);
        r.zeros(213, 9);  // carnê: parcela, total de parcelas, plano
    }

    std::string m_transmission;
    const char* m_cobranca;
};

}  // namespace

Result<std::unique_ptr<RemessaWriter>> make_santander_240(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Santander CNAB 240", header);
    check.digits("agency", a.agency, 4)
        .dv("agency_digit", a.agency_digit)
        .digits("account", a.account, 9)
        .dv("account_digit", a.account_digit)
        .digits("carteira", a.carteira, 3, false)
        .digits("convenio", a.convenio, 15)
        .require(a.convenio.size() <= 7 || a.convenio.size() == 15,
                 "convenio must be the 7-digit beneficiary code or the 15-digit código de transmissão");
    return checked<Santander240>(check.result(), header);
}

}  // namespace billrun::cnab::detail
