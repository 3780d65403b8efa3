#include <billrun/reconcile/statement.hpp>

#include <algorithm>
#include <sstream>
#include <streambuf>
#include <utility>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using billrun::Date;
using billrun::ErrorCode;
using billrun::config::CsvStatementMap;
using billrun::reconcile::looks_like_ofx;
using billrun::reconcile::open_csv_statement;
using billrun::reconcile::open_ofx;
using billrun::reconcile::StatementLine;
using billrun::reconcile::StatementReader;

namespace {

struct Parsed {
    std::vector<StatementLine> lines;
    std::string error;  // empty when the whole statement was read
    ErrorCode code = ErrorCode::internal;
};

Parsed drain(billrun::Result<std::unique_ptr<StatementReader>> opened)
{
    Parsed parsed;
    if (!opened) {
        parsed.error = opened.error().message;
        parsed.code = opened.error().code;
        return parsed;
    }
    StatementLine line;
    for (;;) {
        auto more = (*opened)->next(line);
        if (!more) {
            parsed.error = more.error().message;
            parsed.code = more.error().code;
            return parsed;
        }
        if (!*more) {
            return parsed;
        }
        parsed.lines.push_back(line);
    }
}

Parsed read_ofx(const std::string& data)
{
    std::istringstream in(data);
    return drain(open_ofx(in, "extrato.ofx"));
}

Parsed read_csv(const std::string& data, const CsvStatementMap& map = CsvStatementMap{})
{
    std::istringstream in(data);
    return drain(open_csv_statement(in, "extrato.csv", map));
}

// `head` then blanks up to `size` bytes, made on the fly.
class Blanks : public std::streambuf {
public:
    Blanks(std::string head, std::size_t size) : m_head(std::move(head)), m_left(size - m_head.size())
    {
        setg(m_head.data(), m_head.data(), m_head.data() + m_head.size());
    }

protected:
    int_type underflow() override
    {
        if (m_left == 0) {
            return traits_type::eof();
        }
        const std::size_t n = std::min(m_left, m_chunk.size());
        m_chunk.assign(m_chunk.size(), ' ');
        m_left -= n;
        setg(m_chunk.data(), m_chunk.data(), m_chunk.data() + n);
        return traits_type::to_int_type(m_chunk[0]);
    }

private:
    std::string m_head;
    std::size_t m_left;
    std::string m_chunk = std::string(std::size_t{1} << 16, ' ');
};

Date ymd(int y, int m, int d) { return *Date::from_ymd(y, m, d); }

// An Itaú-style OFX 1.02 export: SGML, CRLF, CHARSET:1252, leaf tags left open.
// "PAGTO ELETRON COBRANÇA" and "DÉBITO" are Windows-1252 bytes (0xC7, 0xC9).
const std::string k_ofx_sgml =
    "OFXHEADER:100\r\n"
    "DATA:OFXSGML\r\n"
    "VERSION:102\r\n"
    "SECURITY:NONE\r\n"
    "ENCODING:USASCII\r\n"
    "CHARSET:1252\r\n"
    "COMPRESSION:NONE\r\n"
    "OLDFILEUID:NONE\r\n"
    "NEWFILEUID:NONE\r\n"
    "\r\n"                                        // 10
    "<OFX>\r\n"                                   // 11
    "<SIGNONMSGSRSV1>\r\n"
    "<SONRS>\r\n"
    "<STATUS>\r\n"
    "<CODE>0\r\n"                                 // 15
    "<SEVERITY>INFO\r\n"
    "</STATUS>\r\n"
    "<DTSERVER>20260310120000[-3:BRT]\r\n"
    "<LANGUAGE>POR\r\n"
    "</SONRS>\r\n"                                // 20
    "</SIGNONMSGSRSV1>\r\n"
    "<BANKMSGSRSV1>\r\n"
    "<STMTTRNRS>\r\n"
    "<TRNUID>1001\r\n"
    "<STATUS>\r\n"                                // 25
    "<CODE>0\r\n"
    "<SEVERITY>INFO\r\n"
    "</STATUS>\r\n"
    "<STMTRS>\r\n"
    "<CURDEF>BRL\r\n"                             // 30
    "<BANKACCTFROM>\r\n"
    "<BANKID>0341\r\n"
    "<ACCTID>12345-6\r\n"
    "<ACCTTYPE>CHECKING\r\n"
    "</BANKACCTFROM>\r\n"                         // 35
    "<BANKTRANLIST>\r\n"
    "<DTSTART>20260301000000[-3:BRT]\r\n"
    "<DTEND>20260310000000[-3:BRT]\r\n"
    "<STMTTRN>\r\n"                               // 39
    "<TRNTYPE>CREDIT\r\n"                         // 40
    "<DTPOSTED>20260302100000[-3:BRT]\r\n"
    "<TRNAMT>1234.56\r\n"
    "<FITID>20260302001\r\n"
    "<CHECKNUM>001\r\n"
    "<MEMO>PIX RECEBIDO 123.456.789-09 JOS\xC9 DA SILVA\r\n"  // 45
    "</STMTTRN>\r\n"
    "<STMTTRN>\r\n"                               // 47
    "<TRNTYPE>DEBIT\r\n"
    "<DTPOSTED>20260305\r\n"
    "<TRNAMT>-12.50\r\n"                          // 50
    "<FITID>20260305002\r\n"
    "<NAME>TARIFA\r\n"
    "<MEMO>D\xC9" "BITO PACOTE SERVI\xC7OS\r\n"
    "</STMTTRN>\r\n"
    "<STMTTRN>\r\n"                               // 55
    "<TRNTYPE>CREDIT\r\n"
    "<DTPOSTED>20260309000000.000[-3:BRT]\r\n"
    "<TRNAMT>350,00\r\n"
    "<FITID>20260309003\r\n"
    "<NAME>LIQUIDACAO BOLETO\r\n"                 // 60
    "<MEMO>PAGTO ELETRON COBRAN\xC7" "A CNPJ 11222333000181\r\n"
    "</STMTTRN>\r\n"
    "</BANKTRANLIST>\r\n"
    "<LEDGERBAL>\r\n"
    "<BALAMT>1572.06\r\n"                         // 65
    "<DTASOF>20260310\r\n"
    "</LEDGERBAL>\r\n"
    "</STMTRS>\r\n"
    "</STMTTRNRS>\r\n"
    "</BANKMSGSRSV1>\r\n"                         // 70
    "</OFX>\r\n";

const std::string k_ofx_xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
    "<?OFX OFXHEADER=\"200\" VERSION=\"211\" SECURITY=\"NONE\" OLDFILEUID=\"NONE\" NEWFILEUID=\"NONE\"?>\n"
    "<OFX>\n"
    "  <BANKMSGSRSV1>\n"
    "    <STMTTRNRS>\n"
    "      <TRNUID>0</TRNUID>\n"
    "      <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>\n"
    "      <STMTRS>\n"
    "        <CURDEF>BRL</CURDEF>\n"
    "        <BANKACCTFROM><BANKID>001</BANKID><ACCTID>9876-5</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>\n"
    "        <BANKTRANLIST>\n"
    "          <DTSTART>20260301</DTSTART><DTEND>20260331</DTEND>\n"
    "          <STMTTRN>\n"  // 13
    "            <TRNTYPE>CREDIT</TRNTYPE>\n"
    "            <DTPOSTED>20260315093000[-03:EST]</DTPOSTED>\n"
    "            <TRNAMT>+99.9</TRNAMT>\n"
    "            <FITID>X-1</FITID>\n"
    "            <NAME>Ac&#234;maq &amp; Filhos Ltda</NAME>\n"
    "            <MEMO>Pix 12.345.678/0001-95 &lt;ref&gt; &quot;mar&#xE7;o&quot; d&apos;</MEMO>\n"
    "          </STMTTRN>\n"
    "          <STMTTRN>\n"  // 21
    "            <TRNTYPE>DEBIT</TRNTYPE>\n"
    "            <DTPOSTED>20260316</DTPOSTED>\n"
    "            <TRNAMT>45.00</TRNAMT>\n"
    "            <FITID>X-2</FITID>\n"
    "            <PAYEE><NAME>Companhia de Luz</NAME><ADDR1>Rua A</ADDR1></PAYEE>\n"
    "            <MEMO>Companhia de Luz</MEMO>\n"
    "          </STMTTRN>\n"
    "        </BANKTRANLIST>\n"
    "        <LEDGERBAL><BALAMT>54.90</BALAMT><DTASOF>20260331</DTASOF></LEDGERBAL>\n"
    "      </STMTRS>\n"
    "    </STMTTRNRS>\n"
    "  </BANKMSGSRSV1>\n"
    "</OFX>\n";

// One transaction wrapped in a minimal 1.x body.
std::string sgml_with(const std::string& transactions)
{
    return "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n<BANKMSGSRSV1><STMTTRNRS><STMTRS>\n<BANKTRANLIST>\n" +
           transactions + "</BANKTRANLIST>\n</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n";
}

}  // namespace

TEST_CASE("looks_like_ofx")
{
    CHECK(looks_like_ofx(k_ofx_sgml.substr(0, 200)));
    CHECK(looks_like_ofx(k_ofx_xml.substr(0, 300)));
    CHECK(looks_like_ofx("\xEF\xBB\xBF  <OFX>\n<SIGNONMSGSRSV1>"));
    CHECK(looks_like_ofx("<?xml version=\"1.0\"?>\n<OFX>\n"));
    CHECK_FALSE(looks_like_ofx("<?xml version=\"1.0\"?>\n<Retorno/>\n"));
    CHECK_FALSE(looks_like_ofx("data;valor;historico\n01/03/2026;10,00;x\n"));
    CHECK_FALSE(looks_like_ofx("02000000000000000000000000000000000000000000"));
    CHECK_FALSE(looks_like_ofx(""));
}

TEST_CASE("open_ofx")
{
    SECTION("1.x SGML, Windows-1252, three transactions")
    {
        const Parsed p = read_ofx(k_ofx_sgml);
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 3);

        CHECK(p.lines[0].line == 39);
        CHECK(p.lines[0].date == ymd(2026, 3, 2));
        CHECK(p.lines[0].amount == 123456);
        CHECK(p.lines[0].id == "20260302001");
        CHECK(p.lines[0].description == "PIX RECEBIDO 123.456.789-09 JOS\u00C9 DA SILVA");
        CHECK(p.lines[0].tax_id == "12345678909");

        CHECK(p.lines[1].line == 47);
        CHECK(p.lines[1].date == ymd(2026, 3, 5));
        CHECK(p.lines[1].amount == -1250);
        CHECK(p.lines[1].description == "TARIFA - D\u00C9BITO PACOTE SERVI\u00C7OS");
        CHECK(p.lines[1].tax_id.empty());

        CHECK(p.lines[2].line == 55);
        CHECK(p.lines[2].date == ymd(2026, 3, 9));
        CHECK(p.lines[2].amount == 35000);  // comma decimal, as some banks write it
        CHECK(p.lines[2].description == "LIQUIDACAO BOLETO - PAGTO ELETRON COBRAN\u00C7A CNPJ 11222333000181");
        CHECK(p.lines[2].tax_id == "11222333000181");
    }

    SECTION("UTF-8 text under CHARSET:1252 stays UTF-8")
    {
        std::string data = k_ofx_sgml;
        const std::string latin = "JOS\xC9";
        data.replace(data.find(latin), latin.size(), "JOS\u00C9");
        const Parsed p = read_ofx(data);
        REQUIRE(p.error.empty());
        CHECK(p.lines[0].description == "PIX RECEBIDO 123.456.789-09 JOS\u00C9 DA SILVA");
    }

    SECTION("2.x XML, entities, PAYEE, an unsigned DEBIT")
    {
        const Parsed p = read_ofx(k_ofx_xml);
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 2);
        CHECK(p.lines[0].line == 13);
        CHECK(p.lines[0].date == ymd(2026, 3, 15));
        CHECK(p.lines[0].amount == 9990);
        CHECK(p.lines[0].id == "X-1");
        CHECK(p.lines[0].description ==
              "Ac\u00EAmaq & Filhos Ltda - Pix 12.345.678/0001-95 <ref> \"mar\u00E7o\" d'");
        CHECK(p.lines[0].tax_id == "12345678000195");
        CHECK(p.lines[1].line == 21);
        CHECK(p.lines[1].amount == -4500);
        CHECK(p.lines[1].description == "Companhia de Luz");
    }

    SECTION("entities: unknown ones and a bare '&' stay as written")
    {
        const Parsed p = read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260101\n<TRNAMT>1.00\n"
                                            "<NAME>M&M &amp; CIA &#65;&#x42; &#0; &#xD800; &bogus; &#;\n"
                                            "</STMTTRN>\n"));
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 1);
        CHECK(p.lines[0].description == "M&M & CIA AB &#0; &#xD800; &bogus; &#;");
    }

    SECTION("CDATA and comments")
    {
        const Parsed p = read_ofx(sgml_with("<!-- a comment with <STMTTRN> inside -->\n<STMTTRN>\n"
                                            "<DTPOSTED>20260101\n<TRNAMT>1.00\n<MEMO><![CDATA[a <b> &amp;]]>\n"
                                            "</STMTTRN>\n"));
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 1);
        CHECK(p.lines[0].description == "a <b> &amp;");
    }

    SECTION("a DOCTYPE declaring entities is refused where it declares them, never expanded")
    {
        const std::string body =
            "<?OFX OFXHEADER=\"200\" VERSION=\"200\"?>\n"
            "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>\n"
            "<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260101</DTPOSTED><TRNAMT>1.00</TRNAMT>"
            "<FITID>1</FITID><NAME>&x;</NAME><MEMO>&y;</MEMO></STMTTRN>\n"
            "</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";
        const Parsed p = read_ofx("<?xml version=\"1.0\"?>\n"
                                  "<!DOCTYPE OFX [\n"
                                  "  <!ENTITY x SYSTEM \"file:///etc/passwd\">\n"
                                  "  <!ENTITY y \"expanded]>\">\n"
                                  "]>\n" +
                                  body);
        CHECK(p.lines.empty());
        CHECK(p.code == ErrorCode::data_invalid);
        CHECK(p.error == "extrato.ofx:3:3: an entity declaration (<!ENTITY): not a bank statement (billrun "
                         "expands no entities a document declares)");

        // A DOCTYPE without entities is skipped; unknown entities stay as written.
        const Parsed plain = read_ofx("<?xml version=\"1.0\"?>\n<!DOCTYPE OFX [ <!-- nothing ']>' --> ]>\n" + body);
        REQUIRE(plain.error.empty());
        REQUIRE(plain.lines.size() == 1);
        CHECK(plain.lines[0].description == "&x; - &y;");
        CHECK(plain.lines[0].line == 5);
    }

    SECTION("truncated inside a transaction")
    {
        const std::string data = k_ofx_sgml.substr(0, k_ofx_sgml.find("<FITID>20260305002"));
        const Parsed p = read_ofx(data);
        CHECK(p.lines.size() == 1);
        CHECK(p.code == ErrorCode::data_invalid);
        CHECK(p.error == "extrato.ofx:51:1: end of file inside the <STMTTRN> of line 47 (truncated file?)");
    }

    SECTION("every truncation is an error naming a line")
    {
        for (const std::string* sample : {&k_ofx_sgml, &k_ofx_xml}) {
            const std::size_t end = sample->rfind("</OFX>") + 5;
            for (std::size_t size = 0; size < end; ++size) {
                const Parsed p = read_ofx(sample->substr(0, size));
                INFO(size);
                REQUIRE(p.code == ErrorCode::data_invalid);
                REQUIRE(p.error.rfind("extrato.ofx:", 0) == 0);
            }
        }
    }

    SECTION("truncated after the last transaction")
    {
        const std::string data = k_ofx_sgml.substr(0, k_ofx_sgml.find("<LEDGERBAL>"));
        const Parsed p = read_ofx(data);
        CHECK(p.lines.size() == 3);
        CHECK(p.error == "extrato.ofx:64:1: end of file before </OFX> (truncated file?)");
    }

    SECTION("truncated inside a tag")
    {
        const std::string data = k_ofx_sgml.substr(0, k_ofx_sgml.find("<TRNAMT>-12.50") + 4);
        const Parsed p = read_ofx(data);
        CHECK(p.error == "extrato.ofx:50:1: end of file inside the tag <TRN (truncated file?)");
    }

    SECTION("a missing </STMTTRN>")
    {
        const Parsed p = read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260101\n<TRNAMT>1.00\n"
                                            "<STMTTRN>\n<DTPOSTED>20260101\n<TRNAMT>1.00\n</STMTTRN>\n"));
        CHECK(p.error == "extrato.ofx:11:1: <STMTTRN> inside the <STMTTRN> of line 8 (missing </STMTTRN>)");
        const Parsed q = read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260101\n<TRNAMT>1.00\n"));
        CHECK(q.error == "extrato.ofx:11:1: </BANKTRANLIST> closes the <STMTTRN> of line 8 (missing </STMTTRN>)");
    }

    SECTION("bad TRNAMT, bad DTPOSTED, missing TRNAMT")
    {
        Parsed p = read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260101\n<TRNAMT>12.5O\n</STMTTRN>\n"));
        CHECK(p.code == ErrorCode::data_invalid);
        CHECK(p.error == "extrato.ofx:10:9: TRNAMT '12.5O' is not an amount (like -12.50)");
        p = read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260101\n<TRNAMT>1.234\n</STMTTRN>\n"));
        CHECK(p.error == "extrato.ofx:10:9: TRNAMT '1.234' is not an amount (like -12.50)");
        p = read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260231\n<TRNAMT>1.00\n</STMTTRN>\n"));
        CHECK(p.error == "extrato.ofx:9:11: DTPOSTED '20260231' is not a date (YYYYMMDD[HHMMSS])");
        p = read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260101 junk\n<TRNAMT>1.00\n</STMTTRN>\n"));
        CHECK(p.error == "extrato.ofx:9:11: DTPOSTED '20260101 junk' is not a date (YYYYMMDD[HHMMSS])");
        p = read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260101\n</STMTTRN>\n"));
        CHECK(p.error == "extrato.ofx:8:1: <STMTTRN> without TRNAMT");
    }

    SECTION("amount forms")
    {
        const Parsed p = read_ofx(sgml_with("<STMTTRN><DTPOSTED>20260101<TRNAMT>-1.234,56</STMTTRN>\n"
                                            "<STMTTRN><DTPOSTED>20260101<TRNAMT>1,234.5</STMTTRN>\n"
                                            "<STMTTRN><DTPOSTED>20260101<TRNAMT>-0.10</STMTTRN>\n"
                                            "<STMTTRN><DTPOSTED>20260101<TRNAMT>7.500</STMTTRN>\n"
                                            "<STMTTRN><DTPOSTED>20260101<TRNAMT>3</STMTTRN>\n"));
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 5);
        CHECK(p.lines[0].amount == -123456);
        CHECK(p.lines[1].amount == 123450);
        CHECK(p.lines[2].amount == -10);
        CHECK(p.lines[3].amount == 750);
        CHECK(p.lines[4].amount == 300);
    }

    SECTION("not OFX, a stray '<', an empty file")
    {
        CHECK(read_ofx("data;valor\n").error == "extrato.ofx:1:1: not an OFX statement (no <OFX> element)");
        CHECK(read_ofx("").error == "extrato.ofx:1:1: not an OFX statement (no <OFX> element)");
        CHECK(read_ofx(sgml_with("<STMTTRN>\n<DTPOSTED>20260101\n<NAME>A < B\n")).error ==
              "extrato.ofx:10:9: '<' not followed by a tag name");
    }

    SECTION("larger than 64 MiB")
    {
        Blanks blanks(sgml_with(""), (std::size_t{64} << 20) + 10);
        std::istream in(&blanks);
        const Parsed p = drain(open_ofx(in, "extrato.ofx"));
        CHECK(p.code == ErrorCode::data_invalid);
        CHECK(p.error == "extrato.ofx: larger than 64 MiB; not a bank statement");
    }
}

TEST_CASE("open_csv_statement")
{
    SECTION("pt-BR export with the default map")
    {
        const std::string data =
            "Data;Histórico;Documento;Valor\r\n"
            "02/03/2026;PIX RECEBIDO JOSE;123.456.789-09;1.234,56\r\n"
            ";;;\r\n"
            "05/03/2026;TARIFA PACOTE;;-12,50\r\n"
            "06/03/2026;ESTORNO;;(50,00)\r\n"
            "07/03/2026;SAQUE;;200,00 D\r\n"
            "8/3/2026;TED CNPJ 11.222.333/0001-81;;3\r\n"
            "09/03/2026 10:15;DOC;999;0,05\r\n";
        const Parsed p = read_csv(data);
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 6);
        CHECK(p.lines[0].line == 2);
        CHECK(p.lines[0].date == ymd(2026, 3, 2));
        CHECK(p.lines[0].amount == 123456);
        CHECK(p.lines[0].description == "PIX RECEBIDO JOSE");
        CHECK(p.lines[0].tax_id == "12345678909");
        CHECK(p.lines[0].id.empty());
        CHECK(p.lines[1].line == 4);
        CHECK(p.lines[1].amount == -1250);
        CHECK(p.lines[1].tax_id.empty());
        CHECK(p.lines[2].amount == -5000);
        CHECK(p.lines[3].amount == -20000);
        CHECK(p.lines[4].date == ymd(2026, 3, 8));
        CHECK(p.lines[4].amount == 300);
        CHECK(p.lines[4].tax_id == "11222333000181");  // from the description
        CHECK(p.lines[5].date == ymd(2026, 3, 9));
        CHECK(p.lines[5].amount == 5);
        CHECK(p.lines[5].tax_id.empty());  // "999" is no CPF/CNPJ
    }

    SECTION("Windows-1252 headers match the map ignoring case and accents")
    {
        const Parsed p = read_csv("DATA;HIST\xD3RICO;VALOR\n01/02/2026;PAGAMENTO JO\xC3O;10,00\n");
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 1);
        CHECK(p.lines[0].description == "PAGAMENTO JO\u00C3O");
        CHECK(p.lines[0].tax_id.empty());
    }

    SECTION("'.' decimal and ISO dates with a custom map")
    {
        CsvStatementMap map;
        map.date = "Posted Date";
        map.amount = "Amount";
        map.description = "Description";
        map.tax_id = "Payer ID";
        map.date_format = "%Y-%m-%d";
        map.decimal = ".";
        const std::string data =
            "posted_date,description,amount,payer id\n"
            "2026-03-02,\"Transfer, ACME\",\"1,234.56\",12.345.678/0001-95\n"
            "2026-03-03,Fee,-12.5,00000000000\n"
            "2026-03-04,Refund,\"1,5\",\n";
        const Parsed p = read_csv(data, map);
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 3);
        CHECK(p.lines[0].date == ymd(2026, 3, 2));
        CHECK(p.lines[0].amount == 123456);
        CHECK(p.lines[0].description == "Transfer, ACME");
        CHECK(p.lines[0].tax_id == "12345678000195");
        CHECK(p.lines[1].amount == -1250);
        CHECK(p.lines[1].tax_id.empty());  // invalid check digits
        CHECK(p.lines[2].amount == 150);   // "1,5" is no grouping: read as 1.50
    }

    SECTION("other date formats")
    {
        CsvStatementMap map;
        for (const auto& [format, text] : std::vector<std::pair<std::string, std::string>>{
                 {"%d-%m-%Y", "31-01-2026"}, {"%d.%m.%Y", "31.01.2026"}, {"%m/%d/%Y", "01/31/2026"},
                 {"%d/%m/%y", "31/01/26"}}) {
            map.date_format = format;
            const Parsed p = read_csv("data;valor\n" + text + ";1,00\n", map);
            INFO(format);
            REQUIRE(p.error.empty());
            REQUIRE(p.lines.size() == 1);
            CHECK(p.lines[0].date == ymd(2026, 1, 31));
        }
        map.date_format = "%d/%m/%Y %H:%M";
        const Parsed bad = read_csv("data;valor\n", map);
        CHECK(bad.code == ErrorCode::config);
        CHECK(bad.error ==
              "reconcile.csv.date_format '%d/%m/%Y %H:%M': unsupported '%H' (use %d, %m, %Y or %y, like "
              "\"%d/%m/%Y\")");
    }

    SECTION("only date and amount are required")
    {
        const Parsed p = read_csv("valor;data\n5,00;01/01/2026\n");
        REQUIRE(p.error.empty());
        REQUIRE(p.lines.size() == 1);
        CHECK(p.lines[0].amount == 500);
        CHECK(p.lines[0].description.empty());
        CHECK(p.lines[0].tax_id.empty());
    }

    SECTION("a missing required column")
    {
        const Parsed p = read_csv("data;historico;documento\n01/01/2026;x;y\n");
        CHECK(p.code == ErrorCode::data_invalid);
        CHECK(p.error ==
              "extrato.csv:1:1: missing required column(s) valor (the header needs the columns named by "
              "reconcile.csv in billrun.yaml)");
        CHECK(read_csv("").error == "extrato.csv:1:1: empty file (no header line)");
    }

    SECTION("a bad date or amount names line and column")
    {
        Parsed p = read_csv("historico;data;valor\nx;01/01/2026;1,00\ny;31/02/2026;1,00\n");
        CHECK(p.lines.size() == 1);
        CHECK(p.code == ErrorCode::data_invalid);
        CHECK(p.error == "extrato.csv:3:2: '31/02/2026' is not a date in the format %d/%m/%Y");
        p = read_csv("historico;data;valor\n\"two\nlines\";2026-01-01;1,00\n");
        CHECK(p.error == "extrato.csv:3:2: '2026-01-01' is not a date in the format %d/%m/%Y");
        p = read_csv("historico;data;valor\nx;01/01/2026;1.234\n");  // 1.234 with ',' decimal is 1234,00
        CHECK(p.error.empty());
        CHECK(p.lines.at(0).amount == 123400);
        p = read_csv("historico;data;valor\nx;01/01/2026;1,234\n");
        CHECK(p.error == "extrato.csv:2:3: '1,234' is not an amount (decimal separator ',')");
        p = read_csv("historico;data;valor\nx;01/01/2026;\n");
        CHECK(p.error == "extrato.csv:2:3: '' is not an amount (decimal separator ',')");
        p = read_csv("historico;data;valor\nx;01/01/2026\n");
        CHECK(p.error == "extrato.csv:2:3: '' is not an amount (decimal separator ',')");
    }
}
