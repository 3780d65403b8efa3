// CNAB 400 retorno: header 0 ("02RETORNO"), details 1 (and 7 for Banco do Brasil's
// CBR643), trailer 9. Other record types between them (Santander's 2 with the PIX data,
// Itaú's 3 with the QR code) belong to the title before them and are not titles. As in
// CNAB 240, a file without its trailer, or with data after it, is an error.
#include "retorno_fields.hpp"

#include <fmt/format.h>

namespace billrun::cnab::detail {

namespace {

constexpr int k_width = 400;

class Reader400 final : public LatchedReader {
public:
    Reader400(LineReader lines, std::string name, const Bank400& bank, RetornoInfo info)
        : m_lines(std::move(lines)), m_name(std::move(name)), m_bank(&bank), m_info(std::move(info))
    {
    }

    const RetornoInfo& info() const override { return m_info; }

private:
    Result<bool> read(RetornoRecord& out) override;
    bool build(RetornoRecord& out, Span nosso, FieldParser& p);
    tl::unexpected<Error> fail(std::int64_t line, std::string_view message) const
    {
        return tl::unexpected(data_error(m_name, line, message));
    }

    LineReader m_lines;
    std::string m_name;
    const Bank400* m_bank;
    RetornoInfo m_info;
    FixedRecord m_record{k_width};
    bool m_trailer = false;
};

Result<bool> Reader400::read(RetornoRecord& out)
{
    std::string_view line;
    for (;;) {
        const LineReader::Status status = m_lines.next(line);
        if (status == LineReader::Status::end) {
            if (!m_trailer) {
                return fail(m_lines.line_number(), "the file ends without its trailer (record type 9): truncated?");
            }
            m_done = true;
            return false;
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
        const char type = m_record.at(1);
        const Span nosso = type == '1' ? m_bank->nosso : type == '7' ? m_bank->nosso_7 : Span{0, 0};
        if (!nosso.empty()) {
            FieldParser p(m_record);
            out.line = n;
            if (!build(out, nosso, p)) {
                return fail(n, p.error());
            }
            return true;
        }
        switch (type) {
        case '9': m_trailer = true; break;
        case '0': return fail(n, "a second file header (record type 0)");
        default:
            if (type < '0' || type > '9') {
                return fail(n, fmt::format("record type '{}' at position 1 is not CNAB 400", type));
            }
            break;  // a record that completes the title before it
        }
    }
}

bool Reader400::build(RetornoRecord& out, Span nosso, FieldParser& p)
{
    const Bank400& bank = *m_bank;
    out.bank = m_info.bank;
    out.nosso_numero.assign(p.text(nosso));
    out.seu_numero.assign(p.text(bank.seu_numero));
    out.occurrence_code.assign(m_record.at(bank.occurrence));
    out.occurrence = classify(bank.codes, out.occurrence_code);
    out.reasons.clear();
    split_reasons(m_record.at(bank.reasons), bank.reason_width, out.reasons);
    out.due_date = p.date(bank.due, "data de vencimento");
    out.title_amount = p.amount(bank.amount, "valor do título");
    out.amount_paid = p.amount(bank.paid, "valor pago");
    out.interest = p.amount(bank.interest, "juros de mora");
    out.fine = bank.fine.empty() ? 0 : p.amount(bank.fine, "multa");
    out.discount = p.amount(bank.discount, "valor do desconto");
    out.fee = p.amount(bank.fee, "valor da tarifa");
    out.occurrence_date = p.date(bank.occurrence_date, "data da ocorrência");
    out.credit_date = p.date(bank.credit_date, "data do crédito");
    return !p.failed();
}

}  // namespace

Result<std::unique_ptr<RetornoReader>> make_reader_400(LineReader lines, std::string name, const Bank400& bank,
                                                       std::string_view header)
{
    FixedRecord h(k_width);
    h.assign(header);
    RetornoInfo info;
    info.bank = std::string(bank.code);
    info.layout = 400;
    info.generated = header_date(h.at(Span{95, 100}));
    if (!bank.header_sequence.empty()) {
        info.sequence = header_number(h.at(bank.header_sequence));
    }
    return std::make_unique<Reader400>(std::move(lines), std::move(name), bank, std::move(info));
}

}  // namespace billrun::cnab::detail
