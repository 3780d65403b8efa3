#pragma once
// The boleto as a PDF (cairo): the payer's receipt and the ficha de compensação, with the
// linha digitável, the ITF (interleaved 2 of 5) barcode drawn to FEBRABAN proportions, and the
// PIX QR code when there is one. One page per boleto; several boletos may share a file.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>

namespace billrun::boleto {

struct Slip {
    std::string bank_code_dv;        // "001-9"
    std::string bank_name;
    std::string linha_digitavel;     // 47 digits (formatted when drawn)
    std::string barcode;             // 44 digits
    std::string payment_place = "Pagável em qualquer banco até o vencimento";
    std::string beneficiary_name;
    std::string beneficiary_tax_id;  // formatted
    std::string beneficiary_address;
    std::string beneficiary_code;    // "Agência / Código do Beneficiário"
    std::string nosso_numero;        // display form
    std::string document_number;     // the invoice id
    std::string carteira;
    std::string species = "DM";      // espécie do documento
    Date document_date;
    Date processing_date;
    Date due_date;
    Centavos amount = 0;
    std::vector<std::string> instructions;  // fine, interest, the config's lines
    std::string payer_name;
    std::string payer_tax_id;        // formatted
    std::vector<std::string> payer_address;  // up to two lines
    std::string pix_payload;         // empty: no QR code
};

class PdfDocument {
public:
    // Creates the file (through a temp name: it appears whole on close()).
    static Result<std::unique_ptr<PdfDocument>> create(const std::filesystem::path& path);
    // Loads the fonts every document of this process draws with (fontconfig's configuration,
    // the FreeType faces), as the first document would: called before forking renderers,
    // each child starts with them loaded instead of loading them itself.
    static void load_fonts();
    virtual ~PdfDocument() = default;
    virtual Result<void> add(const Slip& slip) = 0;  // one A4 page
    virtual Result<void> close() = 0;                // finishes and renames into place
};

}  // namespace billrun::boleto
