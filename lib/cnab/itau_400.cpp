// Itaú (341) CNAB 400: detail '1' and the optional multa record '2'; the header has no
// remessa number (brcobranca remessa/cnab400/itau.rb, fixture itau-400-remessa-brcobranca.rem).
#include "banks.hpp"
#include "cnab400.hpp"

namespace billrun::cnab::detail {

namespace {

// Itaú's one-letter code of the carteira at 108.
const char* carteira_code(std::string_view carteira)
{
    if (carteira == "147") {
        return "E";
    }
    if (carteira == "150") {
        return "U";
    }
    if (carteira == "191") {
        return "1";
    }
    return "I";
}

class Itau400 final : public Cnab400Writer {
public:
    explicit Itau400(const RemessaHeader& header)
        : Cnab400Writer(header), m_carteira(zero_pad(header.account.carteira, 3))
    {
    }

private:
    // Header 27-38, detail 18-29: agência, 00, conta, DAC.
    void account_block(Record& r, int pos) const
    {
        const Account& a = head().account;
        r.digits(pos, 4, a.agency);
        r.zeros(pos + 4, 2);
        r.digits(pos + 6, 5, a.account);
        r.text(pos + 11, 1, a.account_digit);
    }

    void file_header(Record& r) const override
    {
        account_block(r, 27);
        r.text(47, 30, head().company_name);
        r.lit(80, "BANCO ITAU SA");
    }

    void title_records(const Title& t, std::string& out) override
    {
        Record r = next_record(out);
        r.lit(1, "1");
        company(r);
        account_block(r, 18);
        r.zeros(34, 4);  // instrução/alegação a ser cancelada
        r.text(38, 25, t.seu_numero);
        r.digits(63, 8, t.nosso_numero);
        r.zeros(71, 13);  // quantidade de moeda variável
        r.lit(84, m_carteira);
        r.lit(108, carteira_code(m_carteira));
        r.lit(109, movement_code(t.movement));  // ocorrência: 01 remessa, 02 pedido de baixa
        r.text(111, 10, t.seu_numero);
        r.date6(121, t.due_date);
        r.num(127, 13, t.amount);
        r.lit(140, "34100000");  // banco, agência cobradora
        r.lit(148, "01N");       // duplicata mercantil, aceite N
        r.date6(151, t.issue_date);
        r.zeros(157, 4);  // instruções
        r.num(161, 13, t.interest_per_day);  // juros de 1 dia
        r.zeros(174, 45);                     // desconto (data, valor), IOF, abatimento
        payer_id(r, t.payer);
        r.text(235, 30, t.payer.name);
        r.text(275, 40, t.payer.address);
        r.text(315, 12, t.payer.district);
        r.digits_in(327, 8, t.payer.zip);
        r.text(335, 15, t.payer.city);
        r.text(350, 2, t.payer.state);
        r.zeros(386, 8);  // data de mora (from the due date), prazo
        if (t.fine_percent > 0) {
            Record m = next_record(out);
            m.lit(1, "22");  // multa, percentual
            m.date8(3, t.due_date.add_days(1));
            m.num(11, 13, t.fine_percent);
        }
    }

    std::string m_carteira;
};

}  // namespace

Result<std::unique_ptr<RemessaWriter>> make_itau_400(const RemessaHeader& header)
{
    const Account& a = header.account;
    AccountCheck check("Itau CNAB 400", header);
    check.digits("agency", a.agency, 4)
        .digits("account", a.account, 5)
        .dv("account_digit", a.account_digit)
        .digits("carteira", a.carteira, 3);
    return checked<Itau400>(check.result(), header);
}

}  // namespace billrun::cnab::detail
