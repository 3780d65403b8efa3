#pragma once
// CNAB retorno files (FEBRABAN 240 segments T/U, and the banks' 400), detected from their
// content: lenient with what real files carry (BOM, CRLF/LF mixes, right-trimmed or
// over-long lines, blank or zero dates, alphanumeric reason codes), strict with what cannot
// be understood (unknown bank, a remessa given as a retorno): data_invalid naming the line.
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>

namespace billrun::cnab {

enum class Occurrence {
    entry_confirmed,  // the bank registered the title
    rejected,         // entry rejected (reasons say why)
    paid,             // liquidação
    written_off,      // baixa
    other,            // anything else (instructions confirmed, tariffs...)
};

struct RetornoRecord {
    std::int64_t line = 0;          // physical line of the detail (T, or the 400 detail)
    std::string bank;               // "001"
    std::string nosso_numero;       // as the file carries it: digits (bank sub-layout stripped), with DV when the bank puts it there
    std::string seu_numero;         // the beneficiary's document number, trimmed
    std::string occurrence_code;    // the bank's code ("06")
    Occurrence occurrence = Occurrence::other;
    std::vector<std::string> reasons;  // motivos, alphanumeric, blanks and zeros dropped
    std::optional<Date> due_date;
    Centavos title_amount = 0;
    Centavos amount_paid = 0;       // valor pago (0 when not paid)
    Centavos interest = 0;          // juros/mora/multa received
    Centavos fine = 0;              // multa, where the layout separates it
    Centavos discount = 0;
    Centavos fee = 0;               // tarifa
    std::optional<Date> occurrence_date;
    std::optional<Date> credit_date;
};

struct RetornoInfo {
    std::string bank;
    int layout = 240;               // 240 or 400
    std::string company_tax_id;     // from the header, when present
    std::optional<Date> generated;
    std::int64_t sequence = 0;      // NSA, when present
};

class RetornoReader {
public:
    virtual ~RetornoReader() = default;
    virtual const RetornoInfo& info() const = 0;
    // The next title record; false at the end. Errors: data_invalid "name:line: message".
    virtual Result<bool> next(RetornoRecord& out) = 0;
};

// Whether `first_line` looks like a CNAB retorno header (240 or 400) — for format detection.
bool looks_like_retorno(std::string_view first_line);
// Any CNAB file header, a remessa's included: reconcile hands such a file to open_retorno,
// which says precisely why it is not a retorno it can read.
bool looks_like_cnab(std::string_view first_line);

// Reads the header and returns a reader for the rest. `name` names the file in messages.
// Errors: data_invalid for an unknown bank, a remessa, a file that is not CNAB.
Result<std::unique_ptr<RetornoReader>> open_retorno(std::istream& in, std::string name);

}  // namespace billrun::cnab
