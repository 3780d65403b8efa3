// CNAB 240 retorno: a title is a segment T and the segment U right after it. Records:
// 0 file header, 1 lote header (operation 9: T retorno, R remessa), 2/4 optional lote
// records, 3 details (segment at 14), 5 lote trailer, 9 file trailer.
// Strict about what would lose a payment silently: a T without its U, a U without its T,
// a file without its trailer (truncated) and anything after the trailer are errors.
#include "retorno_fields.hpp"

#include <fmt/format.h>

namespace billrun::cnab::detail {

namespace {

constexpr int k_width = 240;

// Segment U (FEBRABAN, the same for every bank here).
constexpr Span k_u_interest{18, 32};  // juros / multa / encargos
constexpr Span k_u_discount{33, 47};
constexpr Span k_u_paid{78, 92};
constexpr Span k_u_occurrence_date{138, 145};
constexpr Span k_u_credit_date{146, 153};

constexpr Span k_occurrence{16, 17};

class Reader240 final : public LatchedReader {
public:
    Reader240(LineReader lines, std::string name, const Bank240& bank, RetornoInfo info)
        : m_lines(std::move(lines)), m_name(std::move(name)), m_bank(&bank), m_info(std::move(info))
    {
    }

    const RetornoInfo& info() const override { return m_info; }

private:
    Result<bool> read(RetornoRecord& out) override;
    Result<bool> finish();
    Result<void> build(RetornoRecord& out, std::int64_t u_line);
    tl::unexpected<Error> fail(std::int64_t line, std::string_view message) const
    {
        return tl::unexpected(data_error(m_name, line, message));
    }
    tl::unexpected<Error> t_without_u() const
    {
        return fail(m_t_line, "segment T without its segment U");
    }

    LineReader m_lines;
    std::string m_name;
    const Bank240* m_bank;
    RetornoInfo m_info;
    FixedRecord m_t{k_width};
    FixedRecord m_record{k_width};
    std::int64_t m_t_line = 0;  // 0: no T waiting for its U
    bool m_trailer = false;
};

Result<bool> Reader240::read(RetornoRecord& out)
{
    std::string_view line;
    for (;;) {
        const LineReader::Status status = m_lines.next(line);
        if (status == LineReader::Status::end) {
            return finish();
        }
        if (status != LineReader::Status::line) {
            return tl::unexpected(line_error(m_name, m_lines.line_number(), status));
        }
        if (is_blank(line)) {
            continue;
        }
        const std::int64_t n = m_lines.line_number();
        if (m_trailer) {
            return fail(n, "data after the file trailer (record type 9)");
        }
        m_record.assign(line);
        const char type = m_record.at(8);
        if (type == '3') {
            const char segment = m_record.at(14);
            if (segment == 'U') {
                if (m_t_line == 0) {
                    return fail(n, "segment U without a segment T before it");
                }
                if (Result<void> built = build(out, n); !built) {
                    return tl::unexpected(built.error());
                }
                m_t_line = 0;
                return true;
            }
            if (m_t_line != 0) {
                return t_without_u();
            }
            if (segment == 'T') {
                m_t = m_record;
                m_t_line = n;
            } else if (segment == 'P') {
                return fail(n, "segment P belongs to a remessa: a remessa, not a retorno");
            }
            continue;  // other segments (Y, W...) carry nothing we read
        }
        if (m_t_line != 0) {
            return t_without_u();
        }
        switch (type) {
        case '1':
            if (m_record.at(9) == 'R') {
                return fail(n, "the lote header says remessa (operation R): a remessa, not a retorno");
            }
            break;
        case '2':
        case '4':
        case '5': break;
        case '9': m_trailer = true; break;
        case '0': return fail(n, "a second file header (record type 0)");
        default: return fail(n, fmt::format("record type '{}' at position 8 is not CNAB 240", type));
        }
    }
}

Result<bool> Reader240::finish()
{
    if (m_t_line != 0) {
        return t_without_u();
    }
    if (!m_trailer) {
        return fail(m_lines.line_number(), "the file ends without its trailer (record type 9): truncated?");
    }
    m_done = true;
    return false;
}

Result<void> Reader240::build(RetornoRecord& out, std::int64_t u_line)
{
    const Bank240& bank = *m_bank;
    FieldParser t(m_t);
    out.line = m_t_line;
    out.bank = m_info.bank;
    const Span nosso =
        bank.nosso_form == NossoForm::first_10 ? Span{bank.nosso.first, bank.nosso.first + 9} : bank.nosso;
    out.nosso_numero.assign(t.text(nosso));
    out.seu_numero.assign(t.text(bank.seu_numero));
    out.occurrence_code.assign(m_t.at(k_occurrence));
    out.occurrence = classify(bank.codes, out.occurrence_code);
    out.reasons.clear();
    split_reasons(m_t.at(bank.reasons), 2, out.reasons);
    out.due_date = t.date(bank.due, "data de vencimento");
    out.title_amount = t.amount(bank.amount, "valor do título");
    out.fee = t.amount(bank.fee, "valor da tarifa");
    if (t.failed()) {
        return tl::unexpected(data_error(m_name, m_t_line, t.error()));
    }
    FieldParser u(m_record);
    out.interest = u.amount(k_u_interest, "juros/multa");
    out.fine = 0;
    out.discount = u.amount(k_u_discount, "valor do desconto");
    out.amount_paid = u.amount(k_u_paid, "valor pago");
    out.occurrence_date = u.date(k_u_occurrence_date, "data da ocorrência");
    out.credit_date = u.date(k_u_credit_date, "data do crédito");
    if (u.failed()) {
        return tl::unexpected(data_error(m_name, u_line, u.error()));
    }
    return {};
}

}  // namespace

Result<std::unique_ptr<RetornoReader>> make_reader_240(LineReader lines, std::string name, const Bank240& bank,
                                                       std::string_view header, std::int64_t header_line)
{
    FixedRecord h(k_width);
    h.assign(header);
    // Code 143: 1 remessa, 2 retorno. Some banks' files leave it off (shifted headers):
    // then the lote header's operation or a segment P tells a remessa.
    if (h.at(143) == '1') {
        return tl::unexpected(
            data_error(name, header_line, "the header says remessa (code 1 at 143): a remessa, not a retorno"));
    }
    RetornoInfo info;
    info.bank = std::string(bank.code);
    info.layout = 240;
    FieldParser p(h);
    std::string_view tax_id = p.text(bank.header_tax_id);
    const char kind = h.at(bank.header_tax_kind);
    const std::size_t digits = kind == '1' ? 11 : kind == '2' ? 14 : tax_id.size();
    if (tax_id.size() > digits) {
        tax_id.remove_prefix(tax_id.size() - digits);
    }
    info.company_tax_id = std::string(tax_id);
    info.generated = header_date(h.at(Span{144, 151}));
    info.sequence = header_number(h.at(Span{158, 163}));
    return std::make_unique<Reader240>(std::move(lines), std::move(name), bank, std::move(info));
}

}  // namespace billrun::cnab::detail
