// RFC 5322 + MIME rendering: headers folded at 78 columns, encoded-words for non-ASCII text,
// the body 7bit or quoted-printable, attachments base64 in multipart/mixed.
#include <cstdint>

#include <fmt/format.h>

#include <billrun/core/text.hpp>
#include <billrun/mail/mail.hpp>

#include "encode.hpp"

namespace billrun::mail {

namespace {

constexpr std::size_t k_line = 78;
constexpr std::size_t k_max_plain_word = 60;  // a longer word is encoded, so it can be folded

// CR, LF, tabs and other controls become spaces; the ends are trimmed.
std::string header_text(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' ' : c;
    }
    return std::string(trim(out));
}

bool is_ascii(std::string_view s)
{
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

bool has_long_word(std::string_view s)
{
    std::size_t run = 0;
    for (char c : s) {
        run = c == ' ' ? 0 : run + 1;
        if (run > k_max_plain_word) {
            return true;
        }
    }
    return false;
}

// Text that cannot go into a header as it is (after header_text()).
bool needs_encoding(std::string_view s)
{
    return !is_ascii(s) || s.find("=?") != std::string_view::npos || has_long_word(s);
}

std::vector<std::string> split_spaces(std::string_view s)
{
    std::vector<std::string> words;
    std::size_t start = 0;
    while (true) {
        std::size_t space = s.find(' ', start);
        words.emplace_back(s.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
        if (space == std::string_view::npos) {
            return words;
        }
        start = space + 1;
    }
}

// One header field, its tokens separated by single spaces and folded before a token that
// would pass column 78.
class Field {
public:
    Field(std::string& out, std::string_view name) : m_out(out), m_column(name.size() + 1)
    {
        m_out += name;
        m_out += ':';
    }
    Field(const Field&) = delete;
    Field& operator=(const Field&) = delete;
    ~Field() { m_out += "\r\n"; }

    void add(std::string_view token)
    {
        // Never fold before an empty token: the continuation line would be white space only.
        if (m_tokens > 0 && !token.empty() && m_column + 1 + token.size() > k_line) {
            m_out += "\r\n";
            m_column = 0;
        }
        m_out += ' ';
        m_out += token;
        m_column += 1 + token.size();
        ++m_tokens;
    }

    void add_all(const std::vector<std::string>& tokens)
    {
        for (const auto& t : tokens) {
            add(t);
        }
    }

private:
    std::string& m_out;
    std::size_t m_column;
    int m_tokens = 0;
};

// Unstructured text (Subject): plain words when possible, else encoded-words.
std::vector<std::string> text_tokens(std::string_view raw)
{
    std::string text = header_text(raw);
    if (text.empty()) {
        return {};
    }
    return needs_encoding(text) ? detail::encoded_words(text) : split_spaces(text);
}

bool is_atext_or_space(char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ') {
        return true;
    }
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// A display name as RFC 5322 phrase tokens: atoms, one quoted-string, or encoded-words.
std::vector<std::string> phrase_tokens(std::string_view raw)
{
    std::string name = header_text(raw);
    if (name.empty()) {
        return {};
    }
    bool atoms = true;
    for (char c : name) {
        atoms = atoms && is_atext_or_space(c);
    }
    if (needs_encoding(name) || (!atoms && name.size() > k_max_plain_word)) {
        return detail::encoded_words(name);
    }
    if (atoms) {
        std::vector<std::string> words;
        for (auto& w : split_spaces(name)) {
            if (!w.empty()) {
                words.push_back(std::move(w));
            }
        }
        return words;
    }
    std::string quoted = "\"";
    for (char c : name) {
        if (c == '"' || c == '\\') {
            quoted += '\\';
        }
        quoted += c;
    }
    quoted += '"';
    return {quoted};
}

// Only characters an addr-spec may hold, so a bad address cannot break the header.
std::string address_text(std::string_view address)
{
    std::string out;
    for (char c : header_text(address)) {
        if (c > ' ' && c < 0x7F && c != '<' && c != '>' && c != ',' && c != ';' && c != '"') {
            out += c;
        }
    }
    return out;
}

std::vector<std::string> mailbox_tokens(std::string_view text)
{
    Mailbox mailbox = parse_mailbox(text);
    std::vector<std::string> tokens = phrase_tokens(mailbox.display_name);
    std::string address = address_text(mailbox.address);
    tokens.push_back(tokens.empty() ? address : "<" + address + ">");
    return tokens;
}

void add_mailboxes(Field& field, const std::vector<std::string>& mailboxes)
{
    for (std::size_t i = 0; i < mailboxes.size(); ++i) {
        auto tokens = mailbox_tokens(mailboxes[i]);
        if (i + 1 < mailboxes.size()) {
            tokens.back() += ',';
        }
        field.add_all(tokens);
    }
}

std::string message_id_text(std::string_view id)
{
    std::string out;
    for (char c : header_text(id)) {
        if (c > ' ' && c < 0x7F && c != '<' && c != '>') {
            out += c;
        }
    }
    return out;
}

std::string content_type_of(std::string_view given)
{
    std::string_view type = trim(given.substr(0, given.find(';')));
    auto is_token = [](std::string_view s) {
        if (s.empty()) {
            return false;
        }
        for (char c : s) {
            if (c <= ' ' || c >= 0x7F || std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos) {
                return false;
            }
        }
        return true;
    };
    std::size_t slash = type.find('/');
    if (slash == std::string_view::npos || !is_token(type.substr(0, slash)) || !is_token(type.substr(slash + 1))) {
        return "application/octet-stream";
    }
    return std::string(type);
}

std::string file_name_of(std::string_view given)
{
    std::size_t slash = given.find_last_of("/\\");
    std::string name = header_text(slash == std::string_view::npos ? given : given.substr(slash + 1));
    return name.empty() ? "attachment" : name;
}

// `name="value"` when the value is short printable ASCII, else RFC 2231.
std::vector<std::string> parameter_tokens(std::string_view name, std::string_view value)
{
    bool plain = value.size() <= k_max_plain_word;
    for (char c : value) {
        plain = plain && c >= ' ' && c < 0x7F && c != '"' && c != '\\';
    }
    if (plain) {
        return {fmt::format("{}=\"{}\"", name, value)};
    }
    return detail::rfc2231_parameter(name, value);
}

void add_parameter(Field& field, std::string_view name, std::string_view value)
{
    field.add_all(parameter_tokens(name, value));
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t hash = 14695981039346656037ULL)
{
    for (char c : s) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

struct Body {
    std::string encoding;  // 7bit | quoted-printable
    std::string text;      // CRLF line ends, the last line ended too
};

Body encode_body(std::string_view body, std::string_view boundary)
{
    auto lines = detail::split_lines(body);
    bool plain = true;
    for (std::string_view line : lines) {
        plain = plain && line.size() <= 998 && !(line.starts_with("--") && line.substr(2).starts_with(boundary));
        for (char c : line) {
            plain = plain && ((c >= ' ' && c < 0x7F) || c == '\t');
        }
    }
    if (!plain) {
        return {"quoted-printable", detail::quoted_printable(lines)};
    }
    std::string text;
    text.reserve(body.size() + lines.size());
    for (std::string_view line : lines) {
        text += line;
        text += "\r\n";
    }
    return {"7bit", std::move(text)};
}

void add_text_part_headers(std::string& out, const Body& body)
{
    out += "Content-Type: text/plain; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: " + body.encoding + "\r\n";
}

}  // namespace

std::string render(const Message& message)
{
    std::string out;
    std::size_t attachment_bytes = 0;
    for (const auto& a : message.attachments) {
        attachment_bytes += a.data.size();
    }
    out.reserve(1024 + message.body.size() * 3 + attachment_bytes * 138 / 100);

    { Field f(out, "Date"); f.add(header_text(message.date)); }
    { Field f(out, "From"); add_mailboxes(f, {message.from}); }
    { Field f(out, "To"); add_mailboxes(f, message.to); }
    { Field f(out, "Subject"); f.add_all(text_tokens(message.subject)); }
    { Field f(out, "Message-ID"); f.add("<" + message_id_text(message.message_id) + ">"); }
    out += "Auto-Submitted: auto-generated\r\n";
    out += "MIME-Version: 1.0\r\n";

    std::string boundary = fmt::format("=_billrun_{:016x}", fnv1a(message.subject, fnv1a(message.message_id)));
    Body body = encode_body(message.body, boundary);
    if (message.attachments.empty()) {
        add_text_part_headers(out, body);
        out += "\r\n";
        out += body.text;
        return out;
    }

    out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n";
    out += "\r\nThis is a multi-part message in MIME format.\r\n";
    out += "--" + boundary + "\r\n";
    add_text_part_headers(out, body);
    out += "\r\n";
    out += body.text;
    for (const auto& a : message.attachments) {
        std::string name = file_name_of(a.filename);
        // The CRLF before a delimiter belongs to it: the extra one keeps the part's last line break.
        out += "\r\n--" + boundary + "\r\n";
        {
            Field f(out, "Content-Type");
            f.add(content_type_of(a.content_type) + ";");
            add_parameter(f, "name", name);
        }
        {
            Field f(out, "Content-Disposition");
            f.add("attachment;");
            add_parameter(f, "filename", name);
        }
        out += "Content-Transfer-Encoding: base64\r\n\r\n";
        out += detail::base64(a.data, 76);
    }
    out += "\r\n--" + boundary + "--\r\n";
    return out;
}

Result<void> check_message(const Message& message)
{
    if (!is_valid_address(parse_mailbox(message.from).address)) {
        return fail(ErrorCode::data_invalid, fmt::format("invalid sender address '{}'", message.from));
    }
    if (message.to.empty()) {
        return fail(ErrorCode::data_invalid, "no recipient address");
    }
    for (const auto& to : message.to) {
        if (!is_valid_address(parse_mailbox(to).address)) {
            return fail(ErrorCode::data_invalid, fmt::format("invalid e-mail address '{}'", to));
        }
    }
    if (header_text(message.date).empty()) {
        return fail(ErrorCode::internal, "message without a Date");
    }
    if (message.message_id.find('@') == std::string::npos || message_id_text(message.message_id) != message.message_id) {
        return fail(ErrorCode::internal, fmt::format("invalid Message-ID '{}'", message.message_id));
    }
    return {};
}

}  // namespace billrun::mail
