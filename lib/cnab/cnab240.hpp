#pragma once
// The FEBRABAN 240 remessa shared by the banks (private to lib/cnab): the record flow,
// the counters and the parts every bank writes alike. A bank subclass writes the rest of
// each record, position by position, from its own manual.
#include <cstdint>
#include <string>
#include <string_view>

#include <billrun/cnab/remessa.hpp>

#include "fields.hpp"

namespace billrun::cnab::detail {

constexpr int k_width_240 = 240;

class Cnab240Writer : public RemessaWriter {
public:
    // File header (0) and lote header (1).
    void header(std::string& out) final;
    // Segments P and Q, and R when the title has a fine or interest; a pedido de baixa
    // repeats them, the title as registered, with movimento 02. A lote holds at most
    // 99,999 detail records: past that the lote is closed and the next one opened.
    void title(const Title& title, std::string& out) final;
    // Lote trailer (5) and file trailer (9).
    void trailer(std::string& out) final;

protected:
    explicit Cnab240Writer(const RemessaHeader& header);

    // Before these run the base has written: bank 1-3, lote 4-7, record type 8; in the
    // file header 143 (1 = remessa), 144-151 date and 158-163 NSA; in the lote header
    // 9 'R', 10-11 '01', 184-191 NSA, 192-199 date, 200-207 zeros; in a segment 9-13
    // sequence, 14 segment, 16-17 the title's movimento (01 entrada, 02 pedido de baixa);
    // in the lote trailer 18-23 its record count; in the file trailer 18-23 lotes and 24-29
    // records.
    virtual void file_header(Record& r) const = 0;
    virtual void lote_header(Record& r) const = 0;
    virtual void segment_p(Record& r, const Title& t) const = 0;
    // FEBRABAN segment Q: the payer; no sacador/avalista.
    virtual void segment_q(Record& r, const Title& t) const;
    // FEBRABAN segment R: no second or third discount; multa '2' (percent) from the day
    // after the due date; 90-240 blank.
    virtual void segment_r(Record& r, const Title& t) const;
    virtual void lote_trailer(Record& /*r*/) const {}
    virtual void file_trailer(Record& /*r*/) const {}

    // P 78-100 and 107-195: due date, amount, espécie DM ('02'), aceite N, issue date,
    // juros de mora (código 1 valor por dia from the day after the due date, or
    // juros_isento), no discount, IOF or abatimento.
    static void p_title_block(Record& r, const Title& t, char juros_isento);
    // Lote trailer 24-46: titles in cobrança simples and their total.
    void lote_totals(Record& r) const;

    const RemessaHeader& head() const { return m_header; }
    std::string_view company_id() const { return m_company_id; }  // letters kept
    char company_kind() const { return m_company_kind; }

private:
    Record begin(std::string& out, char record_type);
    Record begin_segment(std::string& out, char segment, Movement movement);
    void open_lote(std::string& out);
    void close_lote(std::string& out);

    RemessaHeader m_header;
    DateCache m_dates;
    std::string m_company_id;
    char m_company_kind = '0';
    std::int64_t m_lote = 0;          // current lote number
    std::int64_t m_lote_details = 0;  // detail records in the current lote
    std::int64_t m_lote_titles = 0;
    Centavos m_lote_amount = 0;
    std::int64_t m_file_records = 0;
};

}  // namespace billrun::cnab::detail
