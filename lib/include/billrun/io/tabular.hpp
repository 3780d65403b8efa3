#pragma once
// Tabular output for reports and listings: rows of cells written as one YAML or JSON
// document (`kind`, `version`, the header keys, `rows`, the trailer keys), as CSV (RFC 4180
// quoting, formula cells neutralised) or as an aligned table for a terminal. Rows stream:
// memory stays flat however many there are (the table looks at its first rows to size the
// columns and keeps those widths).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/money.hpp>
#include <billrun/io/document.hpp>

namespace billrun::io {

// One cell: text, money (centavos; "1234.50" in data formats, "1.234,50" in the table), an
// integer, or null (an empty CSV cell, `null` in YAML and JSON, blank in the table).
class Cell {
public:
    enum class Kind { null, text, money, integer };
    Cell() = default;
    Cell(std::string text) : m_kind(Kind::text), m_text(std::move(text)) {}
    Cell(const char* text) : m_kind(Kind::text), m_text(text) {}
    static Cell money(Centavos value);
    static Cell integer(std::int64_t value);

    Kind kind() const { return m_kind; }
    const std::string& text() const { return m_text; }
    std::int64_t number() const { return m_number; }
    // As the data formats write it ("1234.50", "17", ""), and as the table shows it.
    std::string data_text() const;
    std::string table_text() const;

private:
    Kind m_kind = Kind::null;
    std::string m_text;
    std::int64_t m_number = 0;
};

using Row = std::vector<Cell>;

struct Column {
    std::string key;          // the CSV header and the YAML/JSON key
    bool in_table = true;     // shown in the table (the data formats carry every column)
    bool elastic = false;     // the table narrows it (cutting with "…") to fit; other columns are never cut
    std::size_t min_width = 8;  // an elastic column never narrower than this
};

struct TabularSpec {
    std::string kind;         // "report-aging"...
    Map header;               // keys after `kind` and `version`, before `rows`
    std::vector<Column> columns;
    std::size_t table_width = 80;   // what the table tries to fit in
    std::size_t sample_rows = 1000; // rows the table reads before it fixes the widths
};

class TabularWriter {
public:
    virtual ~TabularWriter() = default;
    // A row with one cell per column. `total` rows are set off by a rule in the table.
    virtual void row(const Row& cells, bool total = false) = 0;
    // Ends the output: `trailer` keys after `rows` in YAML and JSON; in the table its
    // `footer` (a row, after a rule) when not empty and the trailer as "key  value" lines;
    // nothing more in CSV.
    virtual void finish(const Map& trailer = {}, const Row& footer = {}) = 0;
};

std::unique_ptr<TabularWriter> make_tabular_writer(Format format, std::ostream& out, TabularSpec spec);

// A CSV cell as written: neutralised against formula injection (a text starting with '=',
// '+', '-', '@', TAB or CR gets a leading "'", unless it is a plain number such as
// "-12.50"), then quoted when it holds ',', '"', CR or LF (RFC 4180).
std::string csv_cell(std::string_view text);
bool is_plain_number(std::string_view text);

// Columns of the terminal a UTF-8 text takes (one per code point).
std::size_t display_width(std::string_view text);
// The text cut to `width` columns, its last one "…" when it was cut.
std::string fit_text(std::string_view text, std::size_t width);

}  // namespace billrun::io
