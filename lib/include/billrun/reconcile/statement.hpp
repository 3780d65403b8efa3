#pragma once
// Bank statements as reconcile reads them: OFX (1.x SGML and 2.x XML) and CSV with the
// column map of billrun.yaml (reconcile.csv). One StatementLine per transaction.
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include <billrun/config/config.hpp>
#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>

namespace billrun::reconcile {

struct StatementLine {
    std::int64_t line = 0;     // physical line where the transaction starts
    Date date;
    Centavos amount = 0;       // credits positive, debits negative
    std::string description;   // OFX NAME + MEMO; the CSV description column
    std::string tax_id;        // payer CPF/CNPJ when the statement carries one (normalised), else empty
    std::string id;            // OFX FITID; for CSV, empty
};

class StatementReader {
public:
    virtual ~StatementReader() = default;
    // Errors: data_invalid "name:line:column: message" (a bad date or amount, a truncated file).
    virtual Result<bool> next(StatementLine& out) = 0;
};

// Whether the start of a file is OFX (an "OFXHEADER:" line, or "<?xml" followed by "<?OFX" or
// "<OFX>" within the first lines).
bool looks_like_ofx(std::string_view head);

// OFX 1.x (SGML: unclosed leaf tags) and 2.x (XML) with one tokenizer of our own: no DTD,
// no entities beyond the five XML ones, so nothing external is ever fetched.
Result<std::unique_ptr<StatementReader>> open_ofx(std::istream& in, std::string name);

// CSV through io::CsvReader (encodings and delimiters detected) with the configured column
// names (matched ignoring case and accents), date format ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y",
// "%d.%m.%Y", "%m/%d/%Y") and decimal separator. A missing mapped column: data_invalid at line 1.
Result<std::unique_ptr<StatementReader>> open_csv_statement(std::istream& in, std::string name,
                                                            const config::CsvStatementMap& map);

}  // namespace billrun::reconcile
