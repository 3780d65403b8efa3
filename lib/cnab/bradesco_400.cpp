// Bradesco (237) CNAB 400: multa inside the detail; no bairro, city or UF fields, the
// bank finds them by the CEP (brcobranca remessa/cnab400/bradesco.rb, fixture
// bradesco-400-remessa-brcobranca.rem).
#include "banks.hpp"
#include "cnab400.hpp"

namespace billrun::cnab::detail {

namespace {

class Bradesco400 final : public Cnab400Writer {
public:
    explicit Bradesco400(const RemessaHeader& header) : Cnab400Writer(header) {}

private:
    void file_header(Record& r) const override
    {
        r.digits(27, 20, head().account.convenio);  // código da empresa
        r.text(47, 30, head().company_name);
        r.lit(80, "BRADESCO");
        r.lit(109, "MX");
        r.num(111, 7, head().sequence);
    }

    void title_records(const Title& t, std::string& out) override
    {
        const Account& a = head().account;
        Record r = next_record(out);
        r.lit(1, "1");
        r.zeros(2, 19);  // débito automático: agência, razão, conta
        // Identificação da empresa: zero, carteira, agência, conta, DV.
        r.lit(21, "0");
        r.digits(22, 3, a.carteira);
        r.digits(25, 5, a.agency);
        r.digits(30, 7, a.account);
        r.text(37, 1, a.account_digit);
        r.text(38, 25, t.seu_numero);
        r.zeros(63, 3);  // banco do débito automático
        if (t.fine_percent > 0) {
            r.lit(66, "2");  // percentual
            r.num(67, 4, t.fine_percent);
        } else {
            r.zeros(66, 5);
        }
        r.digits(71, 11, t.nosso_numero);
        r.digits(82, 1, t.nosso_numero_dv);  // a digit or P
        r.zeros(83, 10);  // desconto bonificação por dia
        r.lit(93, "2N");  // the beneficiary prints the boleto; no débito automático
        r.lit(106, "2");  // no aviso de débito
        r.lit(109, movement_code(t.movement));  // ocorrência: 01 remessa, 02 pedido de baixa
        r.text(111, 10, t.seu_numero);
        r.date6(121, t.due_date);
        r.num(127, 13, t.amount);
        r.zeros(140, 8);     // banco encarregado, agência depositária
        r.lit(148, "01N");   // duplicata, identificação N
        r.date6(151, t.issue_date);
        r.zeros(157, 4);  // instruções
        r.num(161, 13, t.interest_per_day);
        r.zeros(174, 45);  // desconto (data, valor), IOF, abatimento
        payer_id(r, t.payer);
        r.text(235, 40, t.payer.name);
        r.text(275, 40, t.payer.address);
        r.digits_in(327, 8, t.payer.zip);  // CEP and suffix
    }
};

}  // namespace

Result<std::unique_ptr<RemessaWriter>> make_bradesco_400(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Bradesco CNAB 400", header);
    check.digits("agency", a.agency, 5)
        .digits("account", a.account, 7)
        .dv("account_digit", a.account_digit)
        .digits("carteira", a.carteira, 3)
        .digits("convenio", a.convenio, 20);
    return checked<Bradesco400>(check.result(), header);
}

}  // namespace billrun::cnab::detail
