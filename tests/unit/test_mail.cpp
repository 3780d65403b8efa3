#include <billrun/mail/mail.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace billrun;
using namespace billrun::mail;

namespace {

// --- Independent decoders, to check what render() encodes ---------------------------------

std::string decode_base64(std::string_view text)
{
    static const std::string k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=' || c == '\r' || c == '\n') {
            continue;
        }
        auto pos = k_alphabet.find(c);
        REQUIRE(pos != std::string::npos);
        buffer = (buffer << 6) | static_cast<unsigned>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

std::string decode_qp(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '=' && i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
            i += 2;  // soft line break
        } else if (text[i] == '=') {
            REQUIRE(i + 2 < text.size());
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            out += '\n';
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

// Decodes "=?UTF-8?B?...?=" words (the white space between two of them is dropped).
std::string decode_words(std::string_view value)
{
    std::string out;
    bool after_word = false;
    while (!value.empty()) {
        if (value.starts_with("=?UTF-8?B?")) {
            auto end = value.find("?=", 10);
            REQUIRE(end != std::string_view::npos);
            out += decode_base64(value.substr(10, end - 10));
            value.remove_prefix(end + 2);
            after_word = true;
            continue;
        }
        auto space = value.find_first_not_of(' ');
        if (space > 0 && after_word && value.substr(space).starts_with("=?")) {
            value.remove_prefix(space);
            continue;
        }
        out += value.front();
        value.remove_prefix(1);
        after_word = false;
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find("\r\n", start);
        REQUIRE(end != std::string::npos);  // every line ends with CRLF
        lines.push_back(text.substr(start, end - start));
        start = end + 2;
    }
    return lines;
}

// The header block of `text` (up to the first empty line), unfolded, as "Name: value" lines.
std::vector<std::string> headers_of(const std::string& text)
{
    std::vector<std::string> headers;
    for (const auto& line : lines_of(text)) {
        if (line.empty()) {
            break;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            REQUIRE(!headers.empty());
            headers.back() += line;  // unfolding removes the CRLF only
        } else {
            headers.push_back(line);
        }
    }
    return headers;
}

std::string header(const std::string& text, std::string_view name)
{
    for (const auto& h : headers_of(text)) {
        if (h.size() > name.size() && h.compare(0, name.size(), name) == 0 && h[name.size()] == ':') {
            return h.substr(name.size() + 2 > h.size() ? h.size() : name.size() + 2);
        }
    }
    return "<missing>";
}

std::string body_of(const std::string& text)
{
    auto pos = text.find("\r\n\r\n");
    REQUIRE(pos != std::string::npos);
    return text.substr(pos + 4);
}

// The MIME parts between `--boundary` lines: each part's text (headers, blank line, body).
std::vector<std::string> parts_of(const std::string& text, const std::string& boundary)
{
    std::vector<std::string> parts;
    std::string delimiter = "\r\n--" + boundary;
    auto pos = text.find(delimiter);
    REQUIRE(pos != std::string::npos);
    while (true) {
        pos += delimiter.size();
        if (text.compare(pos, 2, "--") == 0) {
            CHECK(text.substr(pos) == "--\r\n");
            return parts;
        }
        REQUIRE(text.compare(pos, 2, "\r\n") == 0);
        pos += 2;
        auto next = text.find(delimiter, pos);
        REQUIRE(next != std::string::npos);
        parts.push_back(text.substr(pos, next - pos));
        pos = next;
    }
}

void check_wire_format(const std::string& text)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        INFO("byte " << i);
        REQUIRE(c < 0x80);  // 7-bit clean
        if (c == '\n') {
            REQUIRE((i > 0 && text[i - 1] == '\r'));
        }
        if (c == '\r') {
            REQUIRE((i + 1 < text.size() && text[i + 1] == '\n'));
        }
    }
    for (const auto& line : lines_of(text)) {
        INFO(line);
        CHECK(line.size() <= 78);
    }
}

Message sample()
{
    Message m;
    m.from = "Cobranca Exemplo <cobranca@exemplo.example.com.br>";
    m.to = {"joao@cliente.example.com"};
    m.subject = "Fatura A-000001 vence em 05/12/2026";
    m.body = "Prezado cliente,\n\nSua fatura vence em breve.\n";
    m.message_id = "A-000001-1.reminder@exemplo.example.com.br";
    m.date = "Sat, 05 Dec 2026 16:14:11 -0300";
    return m;
}

std::filesystem::path temp_dir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "billrun-mail-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
}

std::string read_all(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("split_addresses", "[mail]")
{
    using V = std::vector<std::string>;
    CHECK(split_addresses("a@x.com") == V{"a@x.com"});
    CHECK(split_addresses(" a@x.com, b@y.com;c@z.com ; ") == V{"a@x.com", "b@y.com", "c@z.com"});
    CHECK(split_addresses("a@x.com;;, ,b@y.com") == V{"a@x.com", "b@y.com"});
    CHECK(split_addresses("").empty());
    CHECK(split_addresses(" ; , ").empty());
    CHECK(split_addresses("\"Silva, João\" <joao@x.com>; Maria <maria@y.com>") ==
          V{"\"Silva, João\" <joao@x.com>", "Maria <maria@y.com>"});
}

TEST_CASE("parse_mailbox", "[mail]")
{
    auto m = parse_mailbox("Cobrança Exemplo <cobranca@exemplo.com.br>");
    CHECK(m.display_name == "Cobrança Exemplo");
    CHECK(m.address == "cobranca@exemplo.com.br");
    m = parse_mailbox("  joao@x.com ");
    CHECK(m.display_name.empty());
    CHECK(m.address == "joao@x.com");
    m = parse_mailbox("<joao@x.com>");
    CHECK(m.display_name.empty());
    CHECK(m.address == "joao@x.com");
    m = parse_mailbox(R"("Silva, \"Jr\" <x>" <joao@x.com>)");
    CHECK(m.display_name == R"(Silva, "Jr" <x>)");
    CHECK(m.address == "joao@x.com");
}

TEST_CASE("is_valid_address", "[mail]")
{
    for (const char* ok : {"a@b", "joao.silva@cliente.com.br", "x+tag@sub-domain.example.com", "o'neil@x.com",
                           "user@[192.0.2.1]"}) {
        INFO(ok);
        CHECK(is_valid_address(ok));
    }
    for (const char* bad : {"", "joao", "@x.com", "joao@", "jo ao@x.com", "joao@x..com", ".joao@x.com",
                            "joao.@x.com", "joao@-x.com", "joão@x.com", "joao@x.com\r\nBcc: y@z.com", "a@b@c",
                            "joao@x_y.com"}) {
        INFO(bad);
        CHECK_FALSE(is_valid_address(bad));
    }
    CHECK_FALSE(is_valid_address(std::string(65, 'a') + "@x.com"));
    CHECK(is_valid_address(std::string(64, 'a') + "@x.com"));
}

TEST_CASE("rfc5322_date", "[mail]")
{
    CHECK(rfc5322_date("2026-12-05T16:14:11-03:00") == "Sat, 05 Dec 2026 16:14:11 -0300");
    CHECK(rfc5322_date("2024-02-29T00:00:00Z") == "Thu, 29 Feb 2024 00:00:00 +0000");
    CHECK(rfc5322_date("2025-01-01 23:59:60+05:30") == "Wed, 01 Jan 2025 23:59:60 +0530");
    CHECK(rfc5322_date("1999-12-31T08:05:09.123456-0200") == "Fri, 31 Dec 1999 08:05:09 -0200");
    CHECK(rfc5322_date("2000-03-01T07:30+00:00") == "Wed, 01 Mar 2000 07:30:00 +0000");
    for (const char* bad : {"", "2026-12-05", "2026-12-05T16:14:11", "2026-02-30T10:00:00Z", "2026-12-05T24:00:00Z",
                            "2026-12-05T16:60:00Z", "2026-12-05T16:14:11+3:00", "2026-12-05T16:14:11-03:00x",
                            "2026/12/05T16:14:11Z", "2026-12-05T16:14:11.Z", "26-12-05T16:14:11Z"}) {
        INFO(bad);
        CHECK(rfc5322_date(bad).empty());
    }
}

TEST_CASE("render", "[mail]")
{
    SECTION("ASCII, no attachment: one text/plain part in 7bit")
    {
        std::string text = render(sample());
        check_wire_format(text);
        CHECK(header(text, "Date") == "Sat, 05 Dec 2026 16:14:11 -0300");
        CHECK(header(text, "From") == "Cobranca Exemplo <cobranca@exemplo.example.com.br>");
        CHECK(header(text, "To") == "joao@cliente.example.com");
        CHECK(header(text, "Subject") == "Fatura A-000001 vence em 05/12/2026");
        CHECK(header(text, "Message-ID") == "<A-000001-1.reminder@exemplo.example.com.br>");
        CHECK(header(text, "MIME-Version") == "1.0");
        CHECK(header(text, "Content-Type") == "text/plain; charset=UTF-8");
        CHECK(header(text, "Content-Transfer-Encoding") == "7bit");
        CHECK(body_of(text) == "Prezado cliente,\r\n\r\nSua fatura vence em breve.\r\n");
        CHECK(render(sample()) == text);  // deterministic
    }
    SECTION("UTF-8 subject, display names and body")
    {
        Message m = sample();
        m.from = "Cobrança Exemplo <cobranca@exemplo.example.com.br>";
        m.to = {"\"Silva, João\" <joao@cliente.example.com>", "maria@cliente.example.com"};
        m.subject = "Último aviso: fatura A-000001 — R$ 1.234,56 em atraso desde 05/12/2026, São Paulo";
        m.body = "Olá, João!\nA fatura vence em 05/12/2026 = R$ 1.234,56.\n.\nFrom here on\ttab \nsem fim";
        std::string text = render(m);
        check_wire_format(text);
        CHECK(header(text, "Subject").starts_with("=?UTF-8?B?"));
        CHECK(decode_words(header(text, "Subject")) == m.subject);
        std::string from = header(text, "From");
        CHECK(from.ends_with(" <cobranca@exemplo.example.com.br>"));
        CHECK(decode_words(from.substr(0, from.find(" <"))) == "Cobrança Exemplo");
        std::string to = header(text, "To");
        CHECK(decode_words(to.substr(0, to.find(" <"))) == "Silva, João");
        CHECK(to.ends_with(" <joao@cliente.example.com>, maria@cliente.example.com"));
        CHECK(header(text, "Content-Transfer-Encoding") == "quoted-printable");
        std::string body = body_of(text);
        CHECK(decode_qp(body) == "Olá, João!\nA fatura vence em 05/12/2026 = R$ 1.234,56.\n.\nFrom here on\ttab \nsem fim\n");
        CHECK(body.find("\r\n.") == std::string::npos);      // no line starts with '.'
        CHECK(body.find("\r\nFrom ") == std::string::npos);  // nor with "From "
        CHECK(body.find(" \r\n") == std::string::npos);      // no trailing white space
    }
    SECTION("long lines are folded (headers) or soft-broken (body)")
    {
        Message m = sample();
        std::string words;
        for (int i = 0; i < 40; ++i) {
            words += "palavra" + std::to_string(i) + " ";
        }
        m.subject = words + "fim";
        m.to.clear();
        for (int i = 0; i < 12; ++i) {
            m.to.push_back("cliente" + std::to_string(i) + "@cliente.example.com");
        }
        m.body = std::string(3000, 'x') + "\n" + std::string(200, '=') + "\n";
        std::string text = render(m);
        check_wire_format(text);
        CHECK(header(text, "Subject") == m.subject);  // folded at spaces, unfolded back
        CHECK(split_addresses(header(text, "To")) == m.to);
        CHECK(header(text, "Content-Transfer-Encoding") == "quoted-printable");
        CHECK(decode_qp(body_of(text)) == m.body);
    }
    SECTION("a word too long to fold is encoded")
    {
        Message m = sample();
        m.subject = std::string(120, 'A');
        std::string text = render(m);
        check_wire_format(text);
        CHECK(decode_words(header(text, "Subject")) == m.subject);
    }
    SECTION("header values cannot inject header lines")
    {
        Message m = sample();
        m.subject = "Fatura\r\nBcc: intruso@x.com";
        m.to = {"joao@x.com\r\nBcc: intruso@x.com"};
        std::string text = render(m);
        check_wire_format(text);
        for (const auto& h : headers_of(text)) {
            CHECK_FALSE(h.starts_with("Bcc"));
        }
        CHECK(header(text, "Subject") == "Fatura  Bcc: intruso@x.com");
    }
    SECTION("attachments: multipart/mixed, base64 at 76 columns, RFC 2231 names")
    {
        Message m = sample();
        std::string pdf = "%PDF-1.4\n";
        for (int i = 0; i < 5000; ++i) {
            pdf += static_cast<char>((i * 7919) % 256);
        }
        std::string xml = "<?xml version=\"1.0\"?><NFSe>é</NFSe>";
        m.attachments.push_back({"boleto-A-000001.pdf", "application/pdf", pdf});
        m.attachments.push_back({"dir/Nota Fiscal de Serviço nº 123 — São Paulo, competência dezembro de 2026.xml",
                                 "application/xml", xml});
        m.attachments.push_back({"x.bin", "not a type", "ab"});
        std::string text = render(m);
        check_wire_format(text);
        std::string type = header(text, "Content-Type");
        REQUIRE(type.starts_with("multipart/mixed; boundary=\""));
        std::string boundary = type.substr(27, type.size() - 28);
        auto parts = parts_of(text, boundary);
        REQUIRE(parts.size() == 4);

        CHECK(header(parts[0], "Content-Type") == "text/plain; charset=UTF-8");
        CHECK(body_of(parts[0]) == "Prezado cliente,\r\n\r\nSua fatura vence em breve.\r\n");

        CHECK(header(parts[1], "Content-Type") == "application/pdf; name=\"boleto-A-000001.pdf\"");
        CHECK(header(parts[1], "Content-Disposition") == "attachment; filename=\"boleto-A-000001.pdf\"");
        CHECK(header(parts[1], "Content-Transfer-Encoding") == "base64");
        std::string encoded = body_of(parts[1]);
        auto lines = lines_of(encoded);
        for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
            CHECK(lines[i].size() == 76);
        }
        CHECK(decode_base64(encoded) == pdf);

        std::string disposition = header(parts[2], "Content-Disposition");
        CHECK(disposition.starts_with("attachment; filename*0*=UTF-8''Nota%20Fiscal%20de%20Servi%C3%A7o%20"));
        CHECK(disposition.find("filename*1*=") != std::string::npos);
        CHECK(header(parts[2], "Content-Type").starts_with("application/xml; name*0*=UTF-8''Nota"));
        CHECK(decode_base64(body_of(parts[2])) == xml);

        CHECK(header(parts[3], "Content-Type") == "application/octet-stream; name=\"x.bin\"");
        CHECK(decode_base64(body_of(parts[3])) == "ab");
        CHECK(text.ends_with("--" + boundary + "--\r\n"));
    }
    SECTION("a short non-ASCII file name is one RFC 2231 parameter")
    {
        Message m = sample();
        m.attachments.push_back({"Cobrança.pdf", "application/pdf", "x"});
        std::string text = render(m);
        std::string type = header(text, "Content-Type");
        auto parts = parts_of(text, type.substr(27, type.size() - 28));
        REQUIRE(parts.size() == 2);
        CHECK(header(parts[1], "Content-Disposition") == "attachment; filename*=UTF-8''Cobran%C3%A7a.pdf");
    }
}

TEST_CASE("check_message", "[mail]")
{
    CHECK(check_message(sample()));
    Message m = sample();
    m.to = {"joao@x.com", "not an address"};
    auto r = check_message(m);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::data_invalid);
    CHECK(r.error().message == "invalid e-mail address 'not an address'");
    m = sample();
    m.to.clear();
    CHECK(check_message(m).error().code == ErrorCode::data_invalid);
    m = sample();
    m.from = "Cobrança";
    CHECK(check_message(m).error().code == ErrorCode::data_invalid);
    m = sample();
    m.date = "";
    CHECK(check_message(m).error().code == ErrorCode::internal);
    m = sample();
    m.message_id = "<a@b>";
    CHECK(check_message(m).error().code == ErrorCode::internal);
}

TEST_CASE("outbox_sender", "[mail]")
{
    auto dir = temp_dir();
    auto outbox = dir / "out" / "outbox";
    auto sender = outbox_sender(outbox);
    Message m = sample();
    std::string text = render(m);

    SECTION("writes <outbox>/<stem>.eml, creating the folder, replacing on a second send")
    {
        auto where = sender->send(m, text, "A-000001-1");
        REQUIRE(where);
        CHECK(*where == (outbox / "A-000001-1.eml").string());
        CHECK(read_all(*where) == text);
        REQUIRE(sender->send(m, "again", "A-000001-1"));
        CHECK(read_all(outbox / "A-000001-1.eml") == "again");
        CHECK(std::distance(std::filesystem::directory_iterator(outbox), {}) == 1);  // no temp file left
    }
    SECTION("batched: written at once, synced by flush()")
    {
        auto batched = outbox_sender(outbox, true);
        CHECK(batched->flush());  // nothing written yet: nothing to do, no folder needed
        for (int i = 0; i < 3; ++i) {
            REQUIRE(batched->send(m, text, "A-00000" + std::to_string(i)));
        }
        CHECK(batched->flush());
        CHECK(read_all(outbox / "A-000002.eml") == text);
        CHECK(sender->flush());
    }
    SECTION("a stem cannot leave the folder")
    {
        for (const char* stem : {"../escape", "../../escape", "/tmp/escape", "..", ".", "", "a/../../b"}) {
            INFO(stem);
            auto where = sender->send(m, text, stem);
            REQUIRE(where);
            std::filesystem::path path(*where);
            CHECK(path.parent_path() == outbox);
            CHECK(path.filename().string().front() != '.');
        }
        CHECK_FALSE(std::filesystem::exists(dir / "out" / "escape.eml"));
        CHECK_FALSE(std::filesystem::exists(dir / "escape.eml"));
    }
    SECTION("an unsendable message writes nothing")
    {
        m.to = {"joao@"};
        auto where = sender->send(m, text, "bad");
        REQUIRE_FALSE(where);
        CHECK(where.error().code == ErrorCode::data_invalid);
        CHECK_FALSE(std::filesystem::exists(outbox / "bad.eml"));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("smtp_sender refuses a bad URL before any network", "[mail]")
{
    for (const char* url : {"", "http://mail.example.com", "mail.example.com:25", "smtp://", "file:///etc/passwd",
                            "smtp://user:secret@mail.example.com:25?x=1"}) {
        INFO(url);
        SmtpSettings settings;
        settings.url = url;
        settings.password = "secret";
        auto sender = smtp_sender(settings);
        auto sent = sender->send(sample(), render(sample()), "x");
        REQUIRE_FALSE(sent);
        CHECK(sent.error().code == ErrorCode::config);
        CHECK(sent.error().message.find("secret") == std::string::npos);
        CHECK_FALSE(is_temporary(sent.error()));
    }
}

TEST_CASE("is_temporary", "[mail]")
{
    CHECK(is_temporary(Error{ErrorCode::unavailable, "temporary SMTP failure at smtp://h: x"}));
    CHECK_FALSE(is_temporary(Error{ErrorCode::unavailable, "permanent SMTP failure at smtp://h: x"}));
    CHECK_FALSE(is_temporary(Error{ErrorCode::internal, "temporary SMTP failure at smtp://h: x"}));
}
