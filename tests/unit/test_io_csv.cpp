#include <billrun/io/csv.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using billrun::ErrorCode;
using billrun::io::CsvReader;
using billrun::io::CsvRecord;
using billrun::io::Encoding;

namespace {

// The reader's chunk size (lib/io/csv.cpp k_chunk_size): the boundary tests place bytes
// around it.
constexpr std::size_t k_chunk = std::size_t{1} << 20;

struct Parsed {
    std::vector<CsvRecord> records;
    std::string error;  // empty when the whole input was read
    ErrorCode code = ErrorCode::internal;
    char delimiter = 0;
    Encoding encoding = Encoding::undecided;
};

Parsed parse(const std::string& data)
{
    std::istringstream in(data);
    CsvReader reader(in, "t.csv");
    Parsed parsed;
    CsvRecord record;
    for (;;) {
        auto more = reader.next(record);
        if (!more) {
            parsed.error = more.error().message;
            parsed.code = more.error().code;
            break;
        }
        if (!*more) {
            break;
        }
        parsed.records.push_back(record);
    }
    parsed.delimiter = reader.delimiter();
    parsed.encoding = reader.encoding();
    return parsed;
}

using Fields = std::vector<std::string>;
using Lines = std::vector<std::int64_t>;

// `size` bytes of ASCII: a header, then complete "filler,N" lines, then an unfinished line
// ending in ',' so that the next byte appended starts field 2 at offset `size`.
// `lines` receives the physical line that next byte is on.
std::string ascii_prefix(std::size_t size, std::int64_t& lines)
{
    std::string text = "name,value\n";
    lines = 1;
    while (size - text.size() > 100) {
        text += "filler,1234567890\n";
        ++lines;
    }
    ++lines;
    text += std::string(size - text.size() - 1, 'p');
    text += ',';
    return text;
}

}  // namespace

TEST_CASE("CsvReader skips a UTF-8 BOM", "[io][csv]")
{
    SECTION("BOM then UTF-8 text")
    {
        const auto parsed = parse("\xEF\xBB\xBFnome;cpf\nJo\xC3\xA3o;123\n");
        REQUIRE(parsed.error.empty());
        CHECK(parsed.encoding == Encoding::utf8_bom);
        CHECK(parsed.delimiter == ';');
        REQUIRE(parsed.records.size() == 2);
        CHECK(parsed.records[0].fields == Fields{"nome", "cpf"});
        CHECK(parsed.records[1].fields == Fields{"Jo\xC3\xA3o", "123"});
    }
    SECTION("a BOM alone is an empty file")
    {
        const auto parsed = parse("\xEF\xBB\xBF");
        CHECK(parsed.error.empty());
        CHECK(parsed.records.empty());
        CHECK(parsed.encoding == Encoding::utf8_bom);
    }
    SECTION("after a BOM, a Windows-1252 byte is an error")
    {
        const auto parsed = parse("\xEF\xBB\xBFnome\nJos\xE9\n");
        CHECK(parsed.error ==
              "t.csv:2:1: invalid UTF-8 byte 0xE9 (the file mixes encodings; save it as UTF-8 or Windows-1252)");
    }
    SECTION("an empty file has no records")
    {
        const auto parsed = parse("");
        CHECK(parsed.error.empty());
        CHECK(parsed.records.empty());
        CHECK(parsed.encoding == Encoding::undecided);
        CHECK(parsed.delimiter == ',');
    }
}

TEST_CASE("CsvReader detects Windows-1252", "[io][csv]")
{
    SECTION("accents decode to UTF-8")
    {
        const auto parsed = parse("Raz\xE3o Social;Munic\xEDpio\nA\xE7\xFA\x63\x61r \x80 Ltda;S\xE3o Paulo\n");
        REQUIRE(parsed.error.empty());
        CHECK(parsed.encoding == Encoding::cp1252);
        REQUIRE(parsed.records.size() == 2);
        CHECK(parsed.records[0].fields == Fields{"Raz\xC3\xA3o Social", "Munic\xC3\xADpio"});
        CHECK(parsed.records[1].fields == Fields{"A\xC3\xA7\xC3\xBA\x63\x61r \xE2\x82\xAC Ltda", "S\xC3\xA3o Paulo"});
    }
    SECTION("a byte at the end of the input decides too")
    {
        const auto parsed = parse("nome\nJos\xE9");
        REQUIRE(parsed.error.empty());
        CHECK(parsed.encoding == Encoding::cp1252);
        CHECK(parsed.records[1].fields == Fields{"Jos\xC3\xA9"});
    }
    SECTION("later bytes that look like UTF-8 are still Windows-1252")
    {
        const auto parsed = parse("nome\nJos\xE9\n\xC3\xA9\n");
        REQUIRE(parsed.error.empty());
        CHECK(parsed.records[2].fields == Fields{"\xC3\x83\xC2\xA9"});
    }
    SECTION("an undefined byte names line and column")
    {
        const auto parsed = parse("a,b\nJos\xE9,x\x81y\n");
        CHECK(parsed.code == ErrorCode::data_invalid);
        CHECK(parsed.error.rfind("t.csv:2:2: byte 0x81 ", 0) == 0);
    }
}

TEST_CASE("CsvReader detects UTF-8", "[io][csv]")
{
    SECTION("two-, three- and four-byte sequences")
    {
        const auto parsed = parse("Raz\xC3\xA3o Social,valor\n\xE2\x82\xAC 10,\xF0\x9F\x98\x80\n");
        REQUIRE(parsed.error.empty());
        CHECK(parsed.encoding == Encoding::utf8);
        CHECK(parsed.records[0].fields == Fields{"Raz\xC3\xA3o Social", "valor"});
        CHECK(parsed.records[1].fields == Fields{"\xE2\x82\xAC 10", "\xF0\x9F\x98\x80"});
    }
    SECTION("ASCII only leaves the encoding undecided")
    {
        const auto parsed = parse("a,b\n1,2\n");
        CHECK(parsed.encoding == Encoding::undecided);
    }
    SECTION("a Windows-1252 byte after UTF-8 is a mixed-encoding error")
    {
        const auto parsed = parse("nome,cidade\nJos\xC3\xA9,Bras\xC3\xADlia\n\"Jo\xE3o\",Bel\xE9m\n");
        CHECK(parsed.code == ErrorCode::data_invalid);
        CHECK(parsed.error ==
              "t.csv:3:1: invalid UTF-8 byte 0xE3 (the file mixes encodings; save it as UTF-8 or Windows-1252)");
        CHECK(parsed.records.size() == 2);
    }
    SECTION("a truncated sequence at the end of the file is an error")
    {
        const auto parsed = parse("nome\n\xC3\xA9\n\xC3");
        CHECK(parsed.error.rfind("t.csv:3:1: invalid UTF-8 byte 0xC3", 0) == 0);
    }
}

TEST_CASE("CsvReader handles chunk boundaries", "[io][csv]")
{
    SECTION("first non-ASCII byte past the first chunk")
    {
        std::int64_t line = 0;
        auto data = ascii_prefix(k_chunk + 12345, line);
        data += "Jos\xC3\xA9\n";
        const auto parsed = parse(data);
        REQUIRE(parsed.error.empty());
        CHECK(parsed.encoding == Encoding::utf8);
        REQUIRE(parsed.records.back().fields.size() == 2);
        CHECK(parsed.records.back().fields[1] == "Jos\xC3\xA9");
        CHECK(parsed.records.back().line == line);
        CHECK(static_cast<std::int64_t>(parsed.records.size()) == line);
    }
    SECTION("a UTF-8 sequence straddling the boundary, every split")
    {
        const std::string sequences[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
        for (const auto& sequence : sequences) {
            for (std::size_t before = 1; before < sequence.size(); ++before) {
                INFO("sequence length " << sequence.size() << ", bytes before the boundary " << before);
                std::int64_t line = 0;
                auto data = ascii_prefix(k_chunk - before, line);
                data += sequence + "x\nlast,row\n";
                const auto parsed = parse(data);
                REQUIRE(parsed.error.empty());
                CHECK(parsed.encoding == Encoding::utf8);
                REQUIRE(parsed.records.size() >= 2);
                const auto& record = parsed.records[parsed.records.size() - 2];
                CHECK(record.line == line);
                CHECK(record.fields[1] == sequence + "x");
            }
        }
    }
    SECTION("a Windows-1252 byte as the last byte of the chunk")
    {
        std::int64_t line = 0;
        auto data = ascii_prefix(k_chunk - 1, line);
        data += "\xE3o\n";
        const auto parsed = parse(data);
        REQUIRE(parsed.error.empty());
        CHECK(parsed.encoding == Encoding::cp1252);
        CHECK(parsed.records.back().fields[1] == "\xC3\xA3o");
    }
    SECTION("a mixed-encoding byte in the second chunk")
    {
        std::int64_t line = 0;
        auto data = "nome,\xC3\xA9\n" + ascii_prefix(k_chunk + 7, line).substr(11);
        data += "S\xE3o Paulo\n";
        const auto parsed = parse(data);
        CHECK(parsed.error.rfind("t.csv:" + std::to_string(line) + ":2: invalid UTF-8 byte 0xE3", 0) == 0);
    }
    SECTION("CRLF, quotes and an embedded CRLF split by the boundary")
    {
        struct Case {
            std::size_t prefix;  // the tail starts field 2 at this offset
            std::string tail;
            Fields expected;  // fields 2.. of the record
        };
        const Case cases[] = {
            {k_chunk - 1, "\r\nz\n", {""}},                 // CR | LF
            {k_chunk - 2, "\"\"\"b\"\nz\n", {"\"b"}},         // " | " of a doubled quote
            {k_chunk - 3, "\"a\",c\nz\n", {"a", "c"}},        // closing quote | delimiter
            {k_chunk - 2, "\"\r\n\"\nz\n", {"\n"}},           // CR | LF inside quotes
        };
        for (const auto& c : cases) {
            INFO("prefix " << c.prefix);
            std::int64_t line = 0;
            const auto parsed = parse(ascii_prefix(c.prefix, line) + c.tail);
            REQUIRE(parsed.error.empty());
            REQUIRE(parsed.records.size() >= 2);
            const auto& record = parsed.records[parsed.records.size() - 2];
            CHECK(record.line == line);
            CHECK(Fields(record.fields.begin() + 1, record.fields.end()) == c.expected);
            CHECK(parsed.records.back().fields == Fields{"z"});
            CHECK(parsed.records.back().line == line + (c.expected[0] == "\n" ? 2 : 1));
        }
    }
}

TEST_CASE("CsvReader detects the delimiter from the header", "[io][csv]")
{
    SECTION("semicolon")
    {
        const auto parsed = parse("nome;valor\nJos\xC3\xA9;1.234,56\n");
        CHECK(parsed.delimiter == ';');
        CHECK(parsed.records[1].fields == Fields{"Jos\xC3\xA9", "1.234,56"});
    }
    SECTION("comma")
    {
        const auto parsed = parse("nome,valor\nJose,\"1.234,56\"\n");
        CHECK(parsed.delimiter == ',');
        CHECK(parsed.records[1].fields == Fields{"Jose", "1.234,56"});
    }
    SECTION("tab")
    {
        const auto parsed = parse("a\tb\tc\n1\t2,5\t3;4\n");
        CHECK(parsed.delimiter == '\t');
        CHECK(parsed.records[1].fields == Fields{"1", "2,5", "3;4"});
    }
    SECTION("the most frequent wins")
    {
        CHECK(parse("a;b;c,d\n").delimiter == ';');
        CHECK(parse("a,b,c;d\n").delimiter == ',');
    }
    SECTION("ties and none give comma")
    {
        CHECK(parse("a;b,c\n").delimiter == ',');
        CHECK(parse("a;b\tc\n").delimiter == ',');
        CHECK(parse("nome\nJose\n").delimiter == ',');
    }
    SECTION("delimiters inside quotes do not count")
    {
        const auto parsed = parse("\"a;b;c\",d\n");
        CHECK(parsed.delimiter == ',');
        CHECK(parsed.records[0].fields == Fields{"a;b;c", "d"});
    }
    SECTION("only the first line counts")
    {
        CHECK(parse("a;b\n1,2,3,4\n").delimiter == ';');
    }
    SECTION("leading blank lines are skipped first")
    {
        const auto parsed = parse("\n\r\na;b\n");
        CHECK(parsed.delimiter == ';');
        CHECK(parsed.records[0].line == 3);
    }
    SECTION("a single column")
    {
        const auto parsed = parse("email\na@b.com\nc@d.com\n");
        CHECK(parsed.records.size() == 3);
        CHECK(parsed.records[2].fields == Fields{"c@d.com"});
    }
}

TEST_CASE("CsvReader reads quoted fields", "[io][csv]")
{
    SECTION("doubled quotes and embedded delimiters")
    {
        const auto parsed = parse("a,b,c\n\"say \"\"hi\"\"\",\"x,y\",\"\"\n");
        REQUIRE(parsed.error.empty());
        CHECK(parsed.records[1].fields == Fields{"say \"hi\"", "x,y", ""});
    }
    SECTION("embedded newlines move later fields down")
    {
        const auto parsed = parse("a,b,c\n1,\"Rua A\nSala 2\r\nFundos\",3\n4,5,6\n");
        REQUIRE(parsed.error.empty());
        REQUIRE(parsed.records.size() == 3);
        CHECK(parsed.records[1].fields == Fields{"1", "Rua A\nSala 2\nFundos", "3"});
        CHECK(parsed.records[1].line == 2);
        CHECK(parsed.records[1].field_lines == Lines{2, 2, 4});
        CHECK(parsed.records[2].line == 5);
    }
    SECTION("a blank line inside quotes is kept")
    {
        const auto parsed = parse("\"a\n\nb\",c\n");
        CHECK(parsed.records[0].fields == Fields{"a\n\nb", "c"});
    }
    SECTION("a quote inside an unquoted field is literal")
    {
        const auto parsed = parse("a,b\n12\" tube,x\"y\"\n");
        CHECK(parsed.records[1].fields == Fields{"12\" tube", "x\"y\""});
    }
    SECTION("text after a closing quote is appended")
    {
        const auto parsed = parse("a,b\n\"abc\"x,y\n\"a\"b\"c\",d\n");
        REQUIRE(parsed.error.empty());
        CHECK(parsed.records[1].fields == Fields{"abcx", "y"});
        CHECK(parsed.records[2].fields == Fields{"ab\"c\"", "d"});
    }
    SECTION("unquoted fields are not trimmed")
    {
        const auto parsed = parse("a,b\n  x , y\t\n");
        CHECK(parsed.records[1].fields == Fields{"  x ", " y\t"});
    }
    SECTION("empty fields")
    {
        const auto parsed = parse("a,b,c\n,,\n");
        CHECK(parsed.records[1].fields == Fields{"", "", ""});
    }
    SECTION("a quote left open names the line where the field started")
    {
        const auto parsed = parse("a,b\n1,2\nx,\"open\nmore\nlines\n");
        CHECK(parsed.code == ErrorCode::data_invalid);
        CHECK(parsed.error.rfind("t.csv:3:2: ", 0) == 0);
        CHECK(parsed.error.find("line 3") != std::string::npos);
        CHECK(parsed.error.find("never closed") != std::string::npos);
        CHECK(parsed.records.size() == 2);
    }
}

TEST_CASE("CsvReader accepts every line ending", "[io][csv]")
{
    SECTION("CRLF")
    {
        const auto parsed = parse("a,b\r\n1,2\r\n3,4\r\n");
        REQUIRE(parsed.records.size() == 3);
        CHECK(parsed.records[2].fields == Fields{"3", "4"});
        CHECK(parsed.records[2].line == 3);
    }
    SECTION("lone CR")
    {
        const auto parsed = parse("a,b\r1,2\r3,4");
        REQUIRE(parsed.records.size() == 3);
        CHECK(parsed.records[1].fields == Fields{"1", "2"});
        CHECK(parsed.records[2].line == 3);
    }
    SECTION("a lone CR inside quotes is kept and counted")
    {
        const auto parsed = parse("\"a\rb\",c\rd,e\r");
        REQUIRE(parsed.records.size() == 2);
        CHECK(parsed.records[0].fields == Fields{"a\rb", "c"});
        CHECK(parsed.records[1].line == 3);
    }
    SECTION("mixed")
    {
        const auto parsed = parse("a\n1\r\n2\r3\n");
        REQUIRE(parsed.records.size() == 4);
        CHECK(parsed.records[3].line == 4);
    }
    SECTION("a final line without newline is a record")
    {
        const auto parsed = parse("a,b\n1,2");
        REQUIRE(parsed.records.size() == 2);
        CHECK(parsed.records[1].fields == Fields{"1", "2"});
        CHECK(parse("a,b\n1,").records[1].fields == Fields{"1", ""});
        CHECK(parse("a,b\n\"q\"").records[1].fields == Fields{"q"});
    }
}

TEST_CASE("CsvReader skips blank lines", "[io][csv]")
{
    SECTION("later records keep their physical line numbers")
    {
        const auto parsed = parse("a,b\n\n\n1,2\r\n\r\n\r3,4\n\n");
        REQUIRE(parsed.records.size() == 3);
        CHECK(parsed.records[0].line == 1);
        CHECK(parsed.records[1].line == 4);
        CHECK(parsed.records[1].field_lines == Lines{4, 4});
        CHECK(parsed.records[2].line == 7);
        CHECK(parsed.records[2].fields == Fields{"3", "4"});
    }
    SECTION("a line of spaces or an empty quoted field is not blank")
    {
        const auto parsed = parse("a\n \n\"\"\n");
        REQUIRE(parsed.records.size() == 3);
        CHECK(parsed.records[1].fields == Fields{" "});
        CHECK(parsed.records[2].fields == Fields{""});
    }
    SECTION("a file of blank lines has no records")
    {
        CHECK(parse("\n\r\n\r\n").records.empty());
    }
}

TEST_CASE("CsvReader rejects binary data and huge fields", "[io][csv]")
{
    SECTION("a NUL byte")
    {
        const auto parsed = parse(std::string("a,b\nc,d\0e\n", 10));
        CHECK(parsed.code == ErrorCode::data_invalid);
        CHECK(parsed.error.rfind("t.csv:2:2: binary data", 0) == 0);
    }
    SECTION("a NUL byte inside quotes")
    {
        const auto parsed = parse(std::string("a\n\"x\n\0\"\n", 8));
        CHECK(parsed.error.rfind("t.csv:3:1: binary data", 0) == 0);
    }
    SECTION("a field over 1 MiB")
    {
        const auto parsed = parse("a,b\nx," + std::string(3 * k_chunk, 'z') + "\n");
        CHECK(parsed.code == ErrorCode::data_invalid);
        CHECK(parsed.error.rfind("t.csv:2:2: ", 0) == 0);
        CHECK(parsed.error.find("field longer than 1 MiB") != std::string::npos);
    }
    SECTION("a field of exactly 1 MiB is fine")
    {
        const auto parsed = parse("a\n" + std::string(k_chunk, 'z') + "\nb\n");
        REQUIRE(parsed.error.empty());
        CHECK(parsed.records[1].fields[0].size() == k_chunk);
        CHECK(parsed.records[2].line == 3);
    }
    SECTION("an unclosed quote running past 1 MiB")
    {
        std::string data = "a\n\"open\n";
        for (int i = 0; i < 100000; ++i) {
            data += "some more text\n";
        }
        const auto parsed = parse(data);
        CHECK(parsed.error.rfind("t.csv:2:1: quoted field longer than 1 MiB", 0) == 0);
    }
    SECTION("the error repeats on later calls")
    {
        std::istringstream in(std::string("a\n\0\nb\n", 6));
        CsvReader reader(in, "t.csv");
        CsvRecord record;
        REQUIRE(reader.next(record).value());
        CHECK(!reader.next(record));
        auto again = reader.next(record);
        REQUIRE(!again);
        CHECK(again.error().message.rfind("t.csv:2:1: binary data", 0) == 0);
    }
}

TEST_CASE("CsvReader reuses the record and streams many rows", "[io][csv]")
{
    SECTION("fewer fields than the previous record")
    {
        std::istringstream in("a,b,c\n1\n");
        CsvReader reader(in, "t.csv");
        CsvRecord record;
        REQUIRE(reader.next(record).value());
        CHECK(record.fields.size() == 3);
        REQUIRE(reader.next(record).value());
        CHECK(record.fields == Fields{"1"});
        CHECK(record.field_lines == Lines{2});
        CHECK(!reader.next(record).value());
        CHECK(reader.name() == "t.csv");
    }
    SECTION("200,000 rows")
    {
        std::string data = "id;nome;valor\r\n";
        for (int i = 0; i < 200000; ++i) {
            data += std::to_string(i) + ";\"Cliente " + std::to_string(i) + "; S\xC3\xA3o Paulo\";1.234,56\r\n";
        }
        std::istringstream in(data);
        CsvReader reader(in, "t.csv");
        CsvRecord record;
        std::int64_t count = 0;
        std::int64_t wrong_size = 0;
        for (;;) {
            auto more = reader.next(record);
            REQUIRE(more);
            if (!*more) {
                break;
            }
            wrong_size += record.fields.size() == 3 ? 0 : 1;
            ++count;
        }
        CHECK(count == 200001);
        CHECK(wrong_size == 0);
        CHECK(record.line == 200001);
        CHECK(record.fields[1] == "Cliente 199999; S\xC3\xA3o Paulo");
        CHECK(reader.delimiter() == ';');
        CHECK(reader.encoding() == Encoding::utf8);
    }
}
