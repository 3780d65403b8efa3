#pragma once
// Reading CNAB retornos (private to lib/cnab): a streaming line reader with bounded lines,
// fixed-width fields at 1-based inclusive positions as the manuals print them ({153, 165}
// is "153-165 valor do título"), and the per-bank position tables (retorno_banks.cpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/cnab/retorno.hpp>

namespace billrun::cnab::detail {

// Longer physical lines are not CNAB: rejected at once, without reading them whole.
inline constexpr std::size_t k_max_line = 1024;

// Physical lines of a stream, one at a time, through a fixed buffer: memory stays flat
// whatever the file size. Strips a UTF-8 BOM at the start and the CR of CRLF; a last line
// without EOL is still a line.
class LineReader {
public:
    enum class Status { line, end, too_long, failed };

    explicit LineReader(std::istream& in);
    // The next line without its EOL; it stays valid until the next call.
    Status next(std::string_view& line);
    std::int64_t line_number() const { return m_line; }

private:
    bool fill();

    std::istream* m_in;
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    std::int64_t m_line = 0;
    bool m_eof = false;
};

bool is_blank(std::string_view line);

struct Span {
    int first;  // 1-based, inclusive
    int last;
    int size() const { return last - first + 1; }
    bool empty() const { return first == 0; }
};

// One record, right-padded with spaces (right-trimmed lines) or cut (over-long ones) to the
// layout width.
class FixedRecord {
public:
    explicit FixedRecord(int width) : m_width(width) {}
    void assign(std::string_view line);
    std::string_view at(Span s) const
    {
        return {m_data.data() + (s.first - 1), static_cast<std::size_t>(s.size())};
    }
    char at(int pos) const { return m_data[static_cast<std::size_t>(pos - 1)]; }

private:
    std::array<char, 400> m_data{};
    int m_width;
};

// Reads the fields of one record; the first bad field is kept as the error, later calls go
// on returning neutral values, so a record is read straight through and checked once.
class FieldParser {
public:
    explicit FieldParser(const FixedRecord& record) : m_record(&record) {}

    // Digits, leading/trailing spaces allowed; all blank is 0.
    Centavos amount(Span s, const char* what);
    // DDMMAAAA (8) or DDMMAA (6, century 20), years 1980-2099; blank or zeros give nullopt.
    std::optional<Date> date(Span s, const char* what);
    // Trimmed of spaces.
    std::string_view text(Span s) const;

    bool failed() const { return !m_error.empty(); }
    const std::string& error() const { return m_error; }

private:
    void fail(Span s, const char* what, const char* problem);

    const FixedRecord* m_record;
    std::string m_error;
};

// Lenient header dates: nullopt for anything that is not a valid date.
std::optional<Date> header_date(std::string_view digits);
// Digits only, else 0.
std::int64_t header_number(std::string_view digits);

// Splits a motivos field into codes of `width` characters, dropping blanks and zeros.
void split_reasons(std::string_view field, int width, std::vector<std::string>& out);

// The bank's occurrence codes per kind, space-separated ("06 17"); the rest is `other`.
struct OccurrenceCodes {
    std::string_view entry_confirmed;
    std::string_view rejected;
    std::string_view paid;
    std::string_view written_off;
};
Occurrence classify(const OccurrenceCodes& codes, std::string_view code);

// What the 240 and 400 readers share: after the last record next() keeps answering false,
// and after an error it keeps answering that error. Subclasses read one record in read()
// and set m_done after the trailer.
class LatchedReader : public RetornoReader {
public:
    Result<bool> next(RetornoRecord& out) final
    {
        if (m_error) {
            return tl::unexpected(*m_error);
        }
        if (m_done) {
            return false;
        }
        Result<bool> r = read(out);
        if (!r) {
            m_error = r.error();
        }
        return r;
    }

protected:
    virtual Result<bool> read(RetornoRecord& out) = 0;
    bool m_done = false;

private:
    std::optional<Error> m_error;
};

// CNAB 240: segment T as the bank places it (U is FEBRABAN for every bank here).
enum class NossoForm {
    trimmed,       // the whole field, spaces trimmed
    first_10,      // Sicoob: numTitulo(10) + parcela(2) + modalidade(2) + formulário(1)
};
struct Bank240 {
    std::string_view code;
    std::string_view name;
    int header_tax_kind;  // position of the kind of inscription in the file header
    Span header_tax_id;
    Span nosso;
    NossoForm nosso_form;
    Span seu_numero;
    Span due;
    Span amount;
    Span fee;
    Span reasons;  // five 2-character codes
    OccurrenceCodes codes;
};

// CNAB 400: the detail record (types 1, and 7 where nosso_7 is set).
struct Bank400 {
    std::string_view code;
    std::string_view name;
    Span header_sequence;  // empty: none
    Span nosso;            // in a type 1 record
    Span nosso_7;          // in a type 7 record; empty: type 7 is not a title
    Span seu_numero;
    Span occurrence;
    Span occurrence_date;
    Span due;
    Span amount;
    Span fee;
    Span paid;
    Span interest;
    Span fine;  // empty: the layout has no separate multa
    Span discount;
    Span credit_date;
    Span reasons;
    int reason_width;
    OccurrenceCodes codes;
};

const Bank240* find_bank_240(std::string_view code);
const Bank400* find_bank_400(std::string_view code);

// "name:line: message"
Error data_error(const std::string& name, std::int64_t line, std::string_view message);
// The messages for LineReader's failures at `line`.
Error line_error(const std::string& name, std::int64_t line, LineReader::Status status);

// `header` is the first non-blank line, already checked to be a retorno header of the layout.
Result<std::unique_ptr<RetornoReader>> make_reader_240(LineReader lines, std::string name, const Bank240& bank,
                                                       std::string_view header, std::int64_t header_line);
Result<std::unique_ptr<RetornoReader>> make_reader_400(LineReader lines, std::string name, const Bank400& bank,
                                                       std::string_view header);

}  // namespace billrun::cnab::detail
