#include "cnab240.hpp"

namespace billrun::cnab::detail {

namespace {

constexpr std::int64_t k_max_lote_details = 99'999;  // the 5-digit sequence at 9-13

}  // namespace

Cnab240Writer::Cnab240Writer(const RemessaHeader& header)
    : m_header(header), m_company_id(clean_tax_id(header.company_tax_id)),
      m_company_kind(tax_id_kind(m_company_id))
{
}

Record Cnab240Writer::begin(std::string& out, char record_type)
{
    Record r = append_record(out, k_width_240, m_dates);
    ++m_file_records;
    r.digits(1, 3, m_header.account.bank);
    switch (record_type) {
    case '0': r.lit(4, "0000"); break;
    case '9': r.lit(4, "9999"); break;
    default: r.num(4, 4, m_lote); break;
    }
    r.fill(8, 1, record_type);
    return r;
}

Record Cnab240Writer::begin_segment(std::string& out, char segment, Movement movement)
{
    Record r = begin(out, '3');
    r.num(9, 5, ++m_lote_details);
    r.fill(14, 1, segment);
    r.lit(16, movement_code(movement));
    return r;
}

void Cnab240Writer::header(std::string& out)
{
    Record r = begin(out, '0');
    r.lit(143, "1");
    r.date8(144, m_header.generated);
    r.num(158, 6, m_header.sequence);
    file_header(r);
    open_lote(out);
}

void Cnab240Writer::open_lote(std::string& out)
{
    ++m_lote;
    m_lote_details = 0;
    m_lote_titles = 0;
    m_lote_amount = 0;
    Record r = begin(out, '1');
    r.lit(9, "R01");
    r.num(184, 8, m_header.sequence);
    r.date8(192, m_header.generated);
    r.zeros(200, 8);
    lote_header(r);
}

void Cnab240Writer::title(const Title& title, std::string& out)
{
    const bool with_r = title.fine_percent > 0 || title.interest_per_day > 0;
    if (m_lote_details + (with_r ? 3 : 2) > k_max_lote_details) {
        close_lote(out);
        open_lote(out);
    }
    Record p = begin_segment(out, 'P', title.movement);
    segment_p(p, title);
    Record q = begin_segment(out, 'Q', title.movement);
    segment_q(q, title);
    if (with_r) {
        Record r = begin_segment(out, 'R', title.movement);
        segment_r(r, title);
    }
    ++m_lote_titles;
    m_lote_amount += title.amount;
}

void Cnab240Writer::close_lote(std::string& out)
{
    Record r = begin(out, '5');
    r.num(18, 6, m_lote_details + 2);
    lote_trailer(r);
}

void Cnab240Writer::trailer(std::string& out)
{
    close_lote(out);
    Record r = begin(out, '9');
    r.num(18, 6, m_lote);
    r.num(24, 6, m_file_records);
    file_trailer(r);
}

void Cnab240Writer::segment_q(Record& r, const Title& t) const
{
    r.fill(18, 1, tax_id_kind(t.payer.tax_id));
    r.tax_id(19, 15, t.payer.tax_id);
    r.text(34, 40, t.payer.name);
    r.text(74, 40, t.payer.address);
    r.text(114, 15, t.payer.district);
    r.digits_in(129, 8, t.payer.zip);  // CEP 129-133 and suffix 134-136
    r.text(137, 15, t.payer.city);
    r.text(152, 2, t.payer.state);
    r.lit(154, "0");  // no sacador/avalista
    r.zeros(155, 15);
    r.lit(210, "000");
}

void Cnab240Writer::segment_r(Record& r, const Title& t) const
{
    r.zeros(18, 48);  // descontos 2 and 3: código, data, valor
    if (t.fine_percent > 0) {
        r.lit(66, "2");  // percentual
        r.date8(67, t.due_date.add_days(1));
        r.num(75, 15, t.fine_percent);
    } else {
        r.zeros(66, 24);
    }
}

void Cnab240Writer::p_title_block(Record& r, const Title& t, char juros_isento)
{
    r.date8(78, t.due_date);
    r.num(86, 15, t.amount);
    r.lit(107, "02N");  // espécie DM, aceite N
    r.date8(110, t.issue_date);
    if (t.interest_per_day > 0) {
        r.lit(118, "1");  // valor por dia
        r.date8(119, t.due_date.add_days(1));
        r.num(127, 15, t.interest_per_day);
    } else {
        r.fill(118, 1, juros_isento);
        r.zeros(119, 23);
    }
    r.zeros(142, 54);  // desconto 1 (código, data, valor), IOF, abatimento
}

void Cnab240Writer::lote_totals(Record& r) const
{
    r.num(24, 6, m_lote_titles);
    r.num(30, 17, m_lote_amount);
}

}  // namespace billrun::cnab::detail
