// Banco do Brasil (001) CNAB 400 for 7-digit convênios (CBR641): detail '7', the optional
// multa record '5' (brcobranca remessa/cnab400/banco_brasil.rb, fixture
// bb-400-remessa-brcobranca.rem).
#include "banks.hpp"
#include "cnab400.hpp"

namespace billrun::cnab::detail {

namespace {

class Bb400 final : public Cnab400Writer {
public:
    explicit Bb400(const RemessaHeader& header)
        : Cnab400Writer(header), m_carteira(*parse_bb_carteira(header.account.carteira))
    {
    }

private:
    void file_header(Record& r) const override
    {
        const Account& a = head().account;
        r.digits(27, 4, a.agency);
        r.text(31, 1, a.agency_digit);
        r.digits(32, 8, a.account);
        r.text(40, 1, a.account_digit);
        r.zeros(41, 6);
        r.text(47, 30, head().company_name);
        r.lit(80, "BANCODOBRASIL");
        r.num(101, 7, head().sequence);
        r.digits(130, 7, a.convenio);  // convênio líder
    }

    void title_records(const Title& t, std::string& out) override
    {
        const Account& a = head().account;
        Record r = next_record(out);
        r.lit(1, "7");
        company(r);
        r.digits(18, 4, a.agency);
        r.text(22, 1, a.agency_digit);
        r.digits(23, 8, a.account);
        r.text(31, 1, a.account_digit);
        r.digits(32, 7, a.convenio);
        r.text(39, 25, t.seu_numero);
        r.digits(64, 17, t.nosso_numero + t.nosso_numero_dv);  // convênio + 10 digits
        r.zeros(81, 4);                                         // prestação, grupo de valor
        r.lit(92, m_carteira.variacao);
        r.zeros(95, 7);  // conta caução, borderô; tipo de cobrança 102-106 blank = simples
        r.lit(107, m_carteira.carteira);
        r.lit(109, movement_code(t.movement));  // ocorrência: 01 remessa, 02 pedido de baixa
        r.text(111, 10, t.seu_numero);
        r.date6(121, t.due_date);
        r.num(127, 13, t.amount);
        r.lit(140, "0010000");  // banco, agência cobradora (DV at 147 blank)
        r.lit(148, "01N");      // duplicata mercantil, aceite N
        r.date6(151, t.issue_date);
        r.zeros(157, 4);  // instruções
        r.num(161, 13, t.interest_per_day);
        r.zeros(174, 45);  // desconto (data, valor), IOF, abatimento
        payer_id(r, t.payer);
        r.text(235, 37, t.payer.name);
        r.text(275, 40, t.payer.address);
        r.text(315, 12, t.payer.district);
        r.digits_in(327, 8, t.payer.zip);
        r.text(335, 15, t.payer.city);
        r.text(350, 2, t.payer.state);
        r.zeros(392, 2);  // dias para protesto
        if (t.fine_percent > 0) {
            Record m = next_record(out);
            m.lit(1, "599");  // cobrança de multa
            m.lit(4, "2");    // percentual
            m.date6(5, t.due_date.add_days(1));
            m.num(11, 12, t.fine_percent);
        }
    }

    BbCarteira m_carteira;
};

}  // namespace

Result<std::unique_ptr<RemessaWriter>> make_bb_400(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Banco do Brasil CNAB 400", header);
    check.digits("agency", a.agency, 4)
        .dv("agency_digit", a.agency_digit)
        .digits("account", a.account, 8)
        .dv("account_digit", a.account_digit)
        .digits("convenio", a.convenio, 7)
        .require(a.convenio.size() == 7, "CNAB 400 (CBR641) needs the 7-digit convênio")
        .require(parse_bb_carteira(a.carteira).has_value(),
                 "carteira must be 2 digits with an optional variação (\"17\", \"17-019\"), not \"" +
                     a.carteira + "\"");
    return checked<Bb400>(check.result(), header);
}

}  // namespace billrun::cnab::detail
