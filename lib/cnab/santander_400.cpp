// Santander (033) CNAB 400: multa inside the detail, a trailer with the line count and
// the total (brcobranca remessa/cnab400/santander.rb, laravel-boleto
// Cnab400/Banco/Santander.php, fixture santander-400-remessa-brcobranca.rem).
#include <cstdlib>

#include "banks.hpp"
#include "cnab400.hpp"

namespace billrun::cnab::detail {

namespace {

// The 20-digit código de transmissão: given whole, or agência, the beneficiary code and
// the account's first 7 digits (laravel-boleto's rule).
std::string transmission_code(const Account& a)
{
    if (a.convenio.size() == 20) {
        return a.convenio;
    }
    const std::string_view account = a.account.size() == 9
                                         ? std::string_view(a.account).substr(0, 7)
                                         : std::string_view(a.account);
    return zero_pad(a.agency, 4) + zero_pad(a.convenio, 8) + zero_pad(account, 8);
}

class Santander400 final : public Cnab400Writer {
public:
    explicit Santander400(const RemessaHeader& header)
        : Cnab400Writer(header), m_transmission(transmission_code(header.account)),
          m_carteira(std::atoi(header.account.carteira.c_str()) > 200 ? "1" : "5")
    {
    }

private:
    void file_header(Record& r) const override
    {
        r.lit(27, m_transmission);
        r.text(47, 30, head().company_name);
        r.lit(80, "SANTANDER");
        r.zeros(101, 16);
        r.num(392, 3, head().sequence % 1000);  // número da remessa, kept by the bank
    }

    void title_records(const Title& t, std::string& out) override
    {
        const Account& a = head().account;
        Record r = next_record(out);
        r.lit(1, "1");
        company(r);
        r.lit(18, m_transmission);
        r.text(38, 25, t.seu_numero);
        r.digits(63, 8, t.nosso_numero + t.nosso_numero_dv);
        r.zeros(71, 6);  // data do segundo desconto
        if (t.fine_percent > 0) {
            r.lit(78, "4");  // com multa
            r.num(79, 4, t.fine_percent);
            r.date6(102, t.due_date.add_days(1));
        } else {
            r.zeros(78, 5);
            r.zeros(102, 6);
        }
        r.zeros(83, 15);  // unidade de valor, valor em outra unidade
        r.lit(108, m_carteira);
        r.lit(109, movement_code(t.movement));  // ocorrência: 01 remessa, 02 pedido de baixa
        r.text(111, 10, t.seu_numero);
        r.date6(121, t.due_date);
        r.num(127, 13, t.amount);
        r.lit(140, "03300000");  // banco, agência cobradora
        r.lit(148, "01N");       // duplicata, aceite N
        r.date6(151, t.issue_date);
        r.zeros(157, 4);  // instruções
        r.num(161, 13, t.interest_per_day);
        r.zeros(174, 45);  // desconto (data, valor), IOF, abatimento
        payer_id(r, t.payer);
        r.text(235, 40, t.payer.name);
        r.text(275, 40, t.payer.address);
        r.text(315, 12, t.payer.district);
        r.digits_in(327, 8, t.payer.zip);
        r.text(335, 15, t.payer.city);
        r.text(350, 2, t.payer.state);
        // Complemento: 'I', the account's last digit and its DV.
        r.lit(383, "I");
        r.digits(384, 1, a.account);
        r.text(385, 1, a.account_digit);
        r.zeros(392, 2);  // dias para protesto
    }

    void file_trailer(Record& r) const override
    {
        r.num(2, 6, records());  // lines in the file, this one included
        r.num(8, 13, total_amount());
        r.zeros(21, 374);
    }

    std::string m_transmission;
    const char* m_carteira;
};

}  // namespace

Result<std::unique_ptr<RemessaWriter>> make_santander_400(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Santander CNAB 400", header);
    check.digits("agency", a.agency, 4)
        .digits("account", a.account, 9)
        .dv("account_digit", a.account_digit)
        .digits("carteira", a.carteira, 3, false)
        .digits("convenio", a.convenio, 20)
        .require(a.convenio.size() <= 8 || a.convenio.size() == 20,
                 "convenio must be the beneficiary code or the 20-digit código de transmissão");
    return checked<Santander400>(check.result(), header);
}

}  // namespace billrun::cnab::detail
