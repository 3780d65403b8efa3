#include <billrun/boleto/pdf.hpp>
#include <billrun/boleto/pix.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace billrun;
using namespace billrun::boleto;
namespace fs = std::filesystem;

namespace {

// The Banco do Brasil vector of vectors.yaml (brcobranca): barcode and linha digitável.
constexpr const char* k_barcode = "00193376900000135000000001238798977770016818";
constexpr const char* k_linha = "00190000090123879897777700168188337690000013500";

struct TempDir {
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "billrun-pdf-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    fs::path path;
};

// Runs a shell command; its stdout, or nullopt when it fails.
std::optional<std::string> run(const std::string& command)
{
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) {
        return std::nullopt;
    }
    std::string out;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0) {
        out.append(buffer, n);
    }
    const int status = ::pclose(pipe.release());
    if (status != 0) {
        return std::nullopt;
    }
    return out;
}

std::string shell_quoted(const fs::path& path)
{
    return "'" + path.string() + "'";
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

Slip sample_slip()
{
    Slip slip;
    slip.bank_code_dv = "001-9";
    slip.bank_name = "Banco do Brasil S.A.";
    slip.linha_digitavel = k_linha;
    slip.barcode = k_barcode;
    slip.beneficiary_name = "Padaria São João Ltda";
    slip.beneficiary_tax_id = "11.222.333/0001-81";
    slip.beneficiary_address = "Rua das Flores, 123 - Centro - São Paulo/SP - 01001-000";
    slip.beneficiary_code = "4042-8 / 00061900-X";
    slip.nosso_numero = "12387989777700168";
    slip.document_number = "INV-2008-000123";
    slip.carteira = "18";
    slip.document_date = *Date::from_ymd(2008, 1, 15);
    slip.processing_date = *Date::from_ymd(2008, 1, 15);
    slip.due_date = *Date::from_ymd(2008, 2, 1);
    slip.amount = 13500;
    slip.instructions = {"Após o vencimento, multa de 2,00% e juros de 1,00% ao mês (R$ 0,05 por dia).",
                         "Não receber após 60 dias do vencimento."};
    slip.payer_name = "José da Silva Araújo";
    slip.payer_tax_id = "123.456.789-09";
    slip.payer_address = {"Av. Brasil, 1000, apto 12 - Jardim América", "Belo Horizonte/MG - 30140-000"};
    PixCharge charge;
    charge.key = "39a1178e-db6b-4407-bc7b-b674390acf5f";
    charge.amount = 13500;
    charge.merchant_name = "Padaria São João Ltda";
    charge.merchant_city = "São Paulo";
    charge.txid = "INV2008000123";
    slip.pix_payload = pix_payload(charge);
    return slip;
}

// A "Key:   value" line of pdfinfo's output, the value trimmed.
std::string pdfinfo_field(const fs::path& pdf, const std::string& key)
{
    const auto info = run("pdfinfo " + shell_quoted(pdf) + " 2>/dev/null");
    if (!info) {
        return "<pdfinfo failed>";
    }
    for (const auto& line : lines_of(*info)) {
        if (line.rfind(key + ":", 0) == 0) {
            const auto start = line.find_first_not_of(' ', key.size() + 1);
            return start == std::string::npos ? "" : line.substr(start);
        }
    }
    return "<no " + key + ">";
}

std::size_t entries(const fs::path& dir)
{
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) {
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("PdfDocument renders a boleto that scanners read")
{
    TempDir dir;
    const fs::path pdf = dir.path / "boleto.pdf";
    const Slip slip = sample_slip();

    auto document = PdfDocument::create(pdf);
    REQUIRE(document);
    REQUIRE((*document)->add(slip));
    CHECK_FALSE(fs::exists(pdf));  // only the temp file exists until close()
    REQUIRE((*document)->close());
    REQUIRE(fs::exists(pdf));
    CHECK(entries(dir.path) == 1);  // no temp file left behind

    const fs::path png = dir.path / "page";
    REQUIRE(run("pdftoppm -r 300 -png -singlefile " + shell_quoted(pdf) + " " + shell_quoted(png) + " 2>/dev/null"));
    const auto decoded = run("zbarimg --raw -q -Sdisable -Si25.enable -Si25.min-length=44 -Sqrcode.enable "
                             + shell_quoted(fs::path(png.string() + ".png")) + " 2>/dev/null");
    REQUIRE(decoded);
    const auto lines = lines_of(*decoded);
    CHECK(std::count(lines.begin(), lines.end(), std::string(k_barcode)) == 1);
    CHECK(std::count(lines.begin(), lines.end(), slip.pix_payload) == 1);
    CHECK(lines.size() == 2);

    CHECK(pdfinfo_field(pdf, "Pages") == "1");
    CHECK(pdfinfo_field(pdf, "Page size") == "595.276 x 841.89 pts (A4)");

    const auto text = run("pdftotext -layout " + shell_quoted(pdf) + " - 2>/dev/null");
    REQUIRE(text);
    CHECK(text->find("00190.00009 01238.798977 77700.168188 3 37690000013500") != std::string::npos);
    CHECK(text->find("Recibo do Pagador") != std::string::npos);
    CHECK(text->find("Ficha de Compensação") != std::string::npos);
    CHECK(text->find("135,00") != std::string::npos);
    CHECK(text->find("01/02/2008") != std::string::npos);
}

TEST_CASE("PdfDocument pages, temp files and errors")
{
    TempDir dir;
    SECTION("three boletos, three pages in one file")
    {
        const fs::path pdf = dir.path / "run.pdf";
        auto document = PdfDocument::create(pdf);
        REQUIRE(document);
        for (int i = 0; i < 3; ++i) {
            Slip slip = sample_slip();
            if (i == 1) {
                slip.pix_payload.clear();  // the middle one without PIX
            }
            REQUIRE((*document)->add(slip));
        }
        REQUIRE((*document)->close());
        CHECK(pdfinfo_field(pdf, "Pages") == "3");
    }
    SECTION("a document never closed leaves nothing behind")
    {
        {
            auto document = PdfDocument::create(dir.path / "abandoned.pdf");
            REQUIRE(document);
            REQUIRE((*document)->add(sample_slip()));
            // Nothing under the final name: an unnamed file (O_TMPFILE), or a hidden temp file
            // where the file system has no unnamed files.
            CHECK_FALSE(fs::exists(dir.path / "abandoned.pdf"));
            CHECK(entries(dir.path) <= 1);
        }
        CHECK(entries(dir.path) == 0);
    }
    SECTION("the same boletos give the same bytes")
    {
        for (const char* name : {"a.pdf", "b.pdf"}) {
            auto document = PdfDocument::create(dir.path / name);
            REQUIRE(document);
            REQUIRE((*document)->add(sample_slip()));
            REQUIRE((*document)->close());
        }
        CHECK(run("cmp -s " + shell_quoted(dir.path / "a.pdf") + " " + shell_quoted(dir.path / "b.pdf")));
    }
    SECTION("a folder that does not exist")
    {
        auto document = PdfDocument::create(dir.path / "missing" / "boleto.pdf");
        REQUIRE_FALSE(document);
        CHECK(document.error().code == ErrorCode::internal);
        CHECK(document.error().message.find((dir.path / "missing" / "boleto.pdf").string()) != std::string::npos);
    }
    SECTION("a barcode that is not 44 digits")
    {
        auto document = PdfDocument::create(dir.path / "bad.pdf");
        REQUIRE(document);
        Slip slip = sample_slip();
        slip.barcode = "0019337690000013500000000123879897777001681";
        auto added = (*document)->add(slip);
        REQUIRE_FALSE(added);
        CHECK(added.error().code == ErrorCode::data_invalid);
        slip.barcode = std::string(k_barcode).replace(10, 1, "x");
        CHECK_FALSE((*document)->add(slip));
    }
    SECTION("a PIX payload too long for a QR code fails the document")
    {
        const fs::path pdf = dir.path / "qr.pdf";
        auto document = PdfDocument::create(pdf);
        REQUIRE(document);
        Slip slip = sample_slip();
        slip.pix_payload = std::string(3000, 'a');  // over the 2,331 bytes of a level-M QR code
        auto added = (*document)->add(slip);
        REQUIRE_FALSE(added);
        CHECK(added.error().code == ErrorCode::internal);
        CHECK(added.error().message.find(pdf.string()) != std::string::npos);
        CHECK_FALSE((*document)->add(sample_slip()));
        CHECK_FALSE((*document)->close());
        document->reset();
        CHECK(entries(dir.path) == 0);
    }
    SECTION("invalid UTF-8 and control characters do not break the document")
    {
        const fs::path pdf = dir.path / "odd.pdf";
        auto document = PdfDocument::create(pdf);
        REQUIRE(document);
        Slip slip = sample_slip();
        slip.payer_name = "Jos\xE9 \xFF\x01\tSilva";  // Windows-1252 bytes, a control character
        slip.instructions.assign(12, std::string(300, 'W'));
        REQUIRE((*document)->add(slip));
        REQUIRE((*document)->close());
        CHECK(fs::exists(pdf));
    }
    SECTION("close twice")
    {
        auto document = PdfDocument::create(dir.path / "twice.pdf");
        REQUIRE(document);
        REQUIRE((*document)->add(sample_slip()));
        REQUIRE((*document)->close());
        CHECK_FALSE((*document)->close());
        CHECK_FALSE((*document)->add(sample_slip()));
    }
}
