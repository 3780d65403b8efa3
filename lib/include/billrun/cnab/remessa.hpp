#pragma once
// CNAB remessa files (FEBRABAN 240 and the banks' 400): header, one or more records per
// title, trailer. Fixed-width ASCII, upper case without accents, CRLF line ends. Streaming:
// the caller writes header(), then title() per boleto, then trailer(), wherever it likes.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>

namespace billrun::cnab {

enum class Layout { cnab240, cnab400 };

struct Account {
    std::string bank;  // "001"
    std::string agency;
    std::string agency_digit;
    std::string account;
    std::string account_digit;
    std::string convenio;
    std::string carteira;
};

struct RemessaHeader {
    std::string company_name;
    std::string company_tax_id;  // 11 or 14 characters (alphanumeric CNPJ allowed)
    Account account;
    std::int64_t sequence = 1;   // NSA: the file's sequential number for this account
    Date generated;              // business date
    std::string generated_time = "000000";  // HHMMSS
};

struct Payer {
    std::string name;
    std::string tax_id;   // 11 or 14 characters
    std::string address;  // street, number, complement
    std::string district;
    std::string zip;      // 8 digits
    std::string city;
    std::string state;    // UF
};

// What a title's records ask of the bank: FEBRABAN's código de movimento (240, 16-17 of each
// segment) and every bank's ocorrência of its 400 layout (109-110) agree on both codes.
enum class Movement {
    entry,      // "01" entrada de título: register it
    write_off,  // "02" pedido de baixa: take it out of collection (its invoice was cancelled)
};

// The two digits of a movement.
std::string_view movement_code(Movement movement);

struct Title {
    Movement movement = Movement::entry;  // a write-off repeats the title as it was registered
    std::string nosso_numero;     // digits without DV, as the bank's nosso número rule gives them
    std::string nosso_numero_dv;
    std::string seu_numero;       // the invoice id ("A-000123")
    Date issue_date;
    Date due_date;
    Centavos amount = 0;
    Rate fine_percent = 0;          // multa after the due date
    Centavos interest_per_day = 0;  // juros de mora por dia
    Payer payer;
};

class RemessaWriter {
public:
    virtual ~RemessaWriter() = default;
    virtual void header(std::string& out) = 0;
    virtual void title(const Title& title, std::string& out) = 0;  // one or more records
    virtual void trailer(std::string& out) = 0;
};

bool supports(std::string_view bank, Layout layout);

// Errors: config when the bank does not offer the layout.
Result<std::unique_ptr<RemessaWriter>> make_remessa_writer(Layout layout, const RemessaHeader& header);

// Text for a CNAB field: upper case, accents removed (UTF-8 in), other non-ASCII dropped.
std::string cnab_text(std::string_view utf8);

}  // namespace billrun::cnab
