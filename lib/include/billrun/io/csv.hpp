#pragma once
// A streaming CSV reader for what spreadsheets export: UTF-8 (with or without BOM) or
// Windows-1252 (detected at the first non-ASCII byte), ',' ';' or TAB delimiters (detected
// from the header line), quoted fields with embedded newlines and doubled quotes, CRLF or LF.
// Fields come out as UTF-8. Memory stays flat: the input is read in chunks.
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include <billrun/core/error.hpp>

namespace billrun::io {

enum class Encoding { undecided, utf8, utf8_bom, cp1252 };

struct CsvRecord {
    std::vector<std::string> fields;  // UTF-8, quotes removed
    std::int64_t line = 0;            // physical line (1-based) where the record starts
    std::vector<std::int64_t> field_lines;  // physical line where each field starts (quoted
                                            // fields with newlines move later fields down)
};

class CsvReader {
public:
    // `name` is used in messages ("clientes.csv:12:3: ..."). The stream must outlive the reader.
    CsvReader(std::istream& in, std::string name);
    ~CsvReader();
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;

    // Reads the next record into `out`. Returns false at end of input. Blank lines are
    // skipped. An error (invalid byte in the detected encoding, a quote left open at end of
    // file) is reported as ErrorCode::data_invalid with "file:line:column: message".
    Result<bool> next(CsvRecord& out);

    char delimiter() const;      // valid after the first record was read
    Encoding encoding() const;   // undecided while only ASCII was seen
    const std::string& name() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace billrun::io
