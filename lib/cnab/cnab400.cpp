#include "cnab400.hpp"

namespace billrun::cnab::detail {

Cnab400Writer::Cnab400Writer(const RemessaHeader& header)
    : m_header(header), m_company_id(clean_tax_id(header.company_tax_id)),
      m_company_kind(tax_id_kind(m_company_id))
{
}

Record Cnab400Writer::next_record(std::string& out)
{
    Record r = append_record(out, k_width_400, m_dates);
    r.num(395, 6, ++m_records);
    return r;
}

void Cnab400Writer::header(std::string& out)
{
    Record r = next_record(out);
    r.lit(1, "01REMESSA01COBRANCA");
    r.digits(77, 3, m_header.account.bank);
    r.date6(95, m_header.generated);
    file_header(r);
}

void Cnab400Writer::title(const Title& title, std::string& out)
{
    title_records(title, out);
    m_total_amount += title.amount;
}

void Cnab400Writer::trailer(std::string& out)
{
    Record r = next_record(out);
    r.lit(1, "9");
    file_trailer(r);
}

void Cnab400Writer::company(Record& r) const
{
    r.lit(2, "0");
    r.fill(3, 1, m_company_kind);
    r.digits(4, 14, m_company_id);
}

void Cnab400Writer::payer_id(Record& r, const Payer& payer)
{
    r.lit(219, "0");
    r.fill(220, 1, tax_id_kind(payer.tax_id));
    r.tax_id(221, 14, payer.tax_id);
}

}  // namespace billrun::cnab::detail
