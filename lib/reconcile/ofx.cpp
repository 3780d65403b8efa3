// OFX statements: one tokenizer for 1.x (SGML, leaf tags left open) and 2.x (XML). No DTD,
// no entities beyond the five XML ones and numeric references: nothing is ever fetched.
#include <billrun/reconcile/statement.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <billrun/core/text.hpp>

#include <fmt/format.h>

#include "statement_util.hpp"

namespace billrun::reconcile {

namespace {

constexpr std::size_t k_chunk_size = std::size_t{64} << 10;
constexpr std::size_t k_max_file_size = std::size_t{64} << 20;
constexpr std::size_t k_max_text_size = std::size_t{1} << 20;
constexpr std::size_t k_max_name_size = 64;

enum class TokenKind { start_tag, end_tag, text };

struct Token {
    TokenKind kind = TokenKind::text;
    std::string value;  // tag name in upper case, or text decoded to UTF-8 (untrimmed)
    std::int64_t line = 1;
    std::int64_t column = 1;
    bool self_closing = false;
};

bool is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_name_char(int c, bool first)
{
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    return letter || (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':'));
}

void append_utf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// "&#233;" / "&#xE9;" body (after '#'): the code point, or 0 when not a valid character.
std::uint32_t numeric_reference(std::string_view body)
{
    int base = 10;
    if (!body.empty() && (body.front() == 'x' || body.front() == 'X')) {
        base = 16;
        body.remove_prefix(1);
    }
    if (body.empty() || body.size() > 8) {
        return 0;
    }
    std::uint32_t cp = 0;
    for (const char c : body) {
        int digit = -1;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        }
        if (digit < 0) {
            return 0;
        }
        cp = cp * static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(digit);
    }
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    return (cp > 0x10FFFF || surrogate) ? 0 : cp;
}

// The five XML entities and numeric references; anything else (a bank's bare '&', an
// entity a DOCTYPE would declare) stays as written.
std::string decode_entities(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t amp = text.find('&', i);
        if (amp == std::string_view::npos) {
            out.append(text.substr(i));
            break;
        }
        out.append(text.substr(i, amp - i));
        const std::size_t semi = text.find(';', amp);
        const std::string_view name =
            semi == std::string_view::npos || semi - amp > 12 ? std::string_view{} : text.substr(amp + 1, semi - amp - 1);
        std::uint32_t cp = 0;
        if (name == "amp") {
            cp = '&';
        } else if (name == "lt") {
            cp = '<';
        } else if (name == "gt") {
            cp = '>';
        } else if (name == "quot") {
            cp = '"';
        } else if (name == "apos") {
            cp = '\'';
        } else if (name.size() > 1 && name.front() == '#') {
            cp = numeric_reference(name.substr(1));
        }
        if (cp == 0) {
            out.push_back('&');
            i = amp + 1;
        } else {
            append_utf8(out, cp);
            i = semi + 1;
        }
    }
    return out;
}

// Text bytes as UTF-8: kept when valid UTF-8 (also under CHARSET:1252, which banks
// misdeclare), else read as Windows-1252 (what 1.x files of Brazilian banks carry).
std::string to_utf8(const std::string& raw)
{
    if (is_valid_utf8(raw)) {
        return raw;
    }
    std::string out;
    append_cp1252_as_utf8(raw, out);
    return out;
}

class Tokenizer {
public:
    Tokenizer(std::istream& in, const std::string& name) : m_in(in), m_name(name) {}

    // The next tag or non-blank text; false at end of input. Comments, processing
    // instructions (<?xml?>, <?OFX?>) and declarations (<!DOCTYPE ...>) are skipped.
    Result<bool> next(Token& out)
    {
        for (;;) {
            int c = peek();
            if (auto bad = stream_error(); !bad) {
                return tl::unexpected(bad.error());
            }
            if (c < 0) {
                return false;
            }
            out.line = m_line;
            out.column = m_column;
            out.self_closing = false;
            if (c == '<') {
                get();
                auto markup = lex_markup(out);
                if (!markup || *markup) {
                    return markup;
                }
                continue;
            }
            m_raw.clear();
            bool blank = true;
            while ((c = peek()) >= 0 && c != '<') {
                get();
                blank = blank && is_space(c);
                if (blank) {
                    continue;  // leading blanks are trimmed anyway; a run of them costs no memory
                }
                m_raw.push_back(static_cast<char>(c));
                if (m_raw.size() > k_max_text_size) {
                    return fail_at(out.line, out.column, "text longer than 1 MiB; not an OFX file");
                }
            }
            if (auto bad = stream_error(); !bad) {
                return tl::unexpected(bad.error());
            }
            if (!blank) {
                out.kind = TokenKind::text;
                out.value = decode_entities(to_utf8(m_raw));
                return true;
            }
        }
    }

    std::int64_t line() const { return m_line; }
    std::int64_t column() const { return m_column; }

    tl::unexpected<Error> fail_at(std::int64_t line, std::int64_t column, std::string_view message) const
    {
        return fail(ErrorCode::data_invalid, fmt::format("{}:{}:{}: {}", m_name, line, column, message));
    }

private:
    int peek()
    {
        if (m_pos == m_buf.size() && !refill()) {
            return -1;
        }
        return static_cast<unsigned char>(m_buf[m_pos]);
    }

    int get()
    {
        const int c = peek();
        if (c >= 0) {
            ++m_pos;
            if (c == '\n') {
                ++m_line;
                m_column = 1;
            } else {
                ++m_column;
            }
        }
        return c;
    }

    bool refill()
    {
        if (m_end) {
            return false;
        }
        m_buf.resize(k_chunk_size);
        m_in.read(m_buf.data(), static_cast<std::streamsize>(m_buf.size()));
        const auto got = static_cast<std::size_t>(m_in.gcount());
        m_buf.resize(got);
        m_pos = 0;
        m_total += got;
        if (m_in.bad()) {
            m_io_error = true;
        } else if (m_total > k_max_file_size) {
            m_too_big = true;
        }
        if (got == 0 || m_io_error || m_too_big) {
            m_end = true;
            m_buf.clear();
            return false;
        }
        return true;
    }

    Result<void> stream_error() const
    {
        if (m_io_error) {
            return fail(ErrorCode::no_input, fmt::format("{}: read error", m_name));
        }
        if (m_too_big) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{}: larger than {} MiB; not a bank statement", m_name, k_max_file_size >> 20));
        }
        return {};
    }

    Result<void> truncated(const Token& at, std::string_view what)
    {
        if (auto bad = stream_error(); !bad) {
            return bad;
        }
        return fail_at(at.line, at.column, fmt::format("end of file inside {} (truncated file?)", what));
    }

    bool consume(std::string_view word)
    {
        for (const char c : word) {
            if (peek() != static_cast<unsigned char>(c)) {
                return false;
            }
            get();
        }
        return true;
    }

    // Skips to just after `end`; false at end of input. Keeps only the last bytes seen.
    bool skip_past(std::string_view end, std::string* keep = nullptr)
    {
        std::string window;
        for (int c = get(); c >= 0; c = get()) {
            if (keep != nullptr) {
                keep->push_back(static_cast<char>(c));
            }
            window.push_back(static_cast<char>(c));
            if (window.size() > end.size()) {
                window.erase(0, 1);
            }
            if (window == end) {
                if (keep != nullptr) {
                    keep->resize(keep->size() - end.size());
                }
                return true;
            }
        }
        return false;
    }

    // After '<'. True when `out` holds a token; false when the markup was skipped.
    Result<bool> lex_markup(Token& out)
    {
        if (consume("?")) {
            if (!skip_past("?>")) {
                return tl::unexpected(truncated(out, "a processing instruction <?...?>").error());
            }
            return false;
        }
        if (consume("!")) {
            return lex_declaration(out);
        }
        const bool closing = consume("/");
        std::string name;
        while (is_name_char(peek(), name.empty()) && name.size() <= k_max_name_size) {
            char c = static_cast<char>(get());
            name.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
        }
        if (name.empty() || name.size() > k_max_name_size) {
            if (peek() < 0) {
                return tl::unexpected(truncated(out, "a tag").error());
            }
            return fail_at(out.line, out.column, "'<' not followed by a tag name");
        }
        int last = 0;
        int quote = 0;
        for (;;) {
            const int c = get();
            if (c < 0) {
                return tl::unexpected(truncated(out, fmt::format("the tag <{}{}", closing ? "/" : "", name)).error());
            }
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                break;
            } else if (!is_space(c)) {
                last = c;
            }
        }
        out.kind = closing ? TokenKind::end_tag : TokenKind::start_tag;
        out.self_closing = !closing && last == '/';
        out.value = std::move(name);
        return true;
    }

    // After "<!": a comment, a CDATA section (returned as text) or a declaration such as
    // <!DOCTYPE OFX>, which is skipped. One that declares entities (<!DOCTYPE ...[ <!ENTITY
    // ...> ]>, the door of XXE attacks) is refused: no bank writes them, and billrun would
    // never expand them anyway.
    Result<bool> lex_declaration(Token& out)
    {
        if (consume("--")) {
            if (!skip_past("-->")) {
                return tl::unexpected(truncated(out, "a comment <!--").error());
            }
            return false;
        }
        if (consume("[CDATA[")) {
            m_raw.clear();
            if (!skip_past("]]>", &m_raw)) {
                return tl::unexpected(truncated(out, "a <![CDATA[ section").error());
            }
            if (m_raw.size() > k_max_text_size) {
                return fail_at(out.line, out.column, "text longer than 1 MiB; not an OFX file");
            }
            out.kind = TokenKind::text;
            out.value = to_utf8(m_raw);
            return true;
        }
        int depth = 0;
        int quote = 0;
        for (int c = get(); c >= 0; c = get()) {
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '<' && depth > 0) {
                const std::int64_t line = m_line;
                const std::int64_t column = m_column - 1;
                if (consume("!ENTITY")) {
                    return fail_at(line, column, "an entity declaration (<!ENTITY): not a bank statement "
                                                 "(billrun expands no entities a document declares)");
                }
            } else if (c == '[') {
                ++depth;
            } else if (c == ']') {
                --depth;
            } else if (c == '>' && depth <= 0) {
                return false;
            }
        }
        return tl::unexpected(truncated(out, "a declaration <!...>").error());
    }

    std::istream& m_in;
    std::string m_name;
    std::string m_buf;
    std::size_t m_pos = 0;
    std::size_t m_total = 0;
    bool m_end = false;
    bool m_io_error = false;
    bool m_too_big = false;
    std::int64_t m_line = 1;
    std::int64_t m_column = 1;
    std::string m_raw;
};

struct Field {
    std::string value;
    std::int64_t line = 0;
    std::int64_t column = 0;
    bool present = false;
};

struct Transaction {
    std::int64_t line = 0;
    std::int64_t column = 0;
    bool in_payee = false;
    Field trntype, dtposted, trnamt, fitid, name, memo, payee_name;

    Field* field(std::string_view tag)
    {
        if (tag == "NAME") {
            return in_payee ? &payee_name : &name;
        }
        if (in_payee) {
            return nullptr;
        }
        if (tag == "TRNTYPE") {
            return &trntype;
        }
        if (tag == "DTPOSTED") {
            return &dtposted;
        }
        if (tag == "TRNAMT") {
            return &trnamt;
        }
        if (tag == "FITID") {
            return &fitid;
        }
        if (tag == "MEMO") {
            return &memo;
        }
        return nullptr;
    }
};

// YYYYMMDD[HHMMSS[.XXX]][[gmt offset[:tz name]]]; the date as the bank wrote it.
std::optional<Date> parse_ofx_date(std::string_view text)
{
    if (text.size() < 8 || !std::all_of(text.begin(), text.begin() + 8, detail::is_digit)) {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t len) {
        int n = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            n = n * 10 + (text[i] - '0');
        }
        return n;
    };
    std::string_view rest = text.substr(8);
    std::size_t digits = 0;
    while (digits < rest.size() && detail::is_digit(rest[digits])) {
        ++digits;
    }
    rest.remove_prefix(digits);
    if (!rest.empty() && rest.front() == '.') {
        std::size_t frac = 1;
        while (frac < rest.size() && detail::is_digit(rest[frac])) {
            ++frac;
        }
        if (frac == 1) {
            return std::nullopt;
        }
        rest.remove_prefix(frac);
    }
    if (!rest.empty() && (rest.front() != '[' || rest.back() != ']')) {
        return std::nullopt;
    }
    return Date::from_ymd(number(0, 4), number(4, 2), number(6, 2));
}

std::optional<Centavos> parse_ofx_amount(std::string_view text)
{
    const std::size_t comma = text.rfind(',');
    const std::size_t dot = text.rfind('.');
    const bool comma_decimal = comma != std::string_view::npos && (dot == std::string_view::npos || comma > dot);
    return comma_decimal ? detail::parse_statement_amount(text, ',', '.')
                         : detail::parse_statement_amount(text, '.', ',');
}

class OfxReader final : public StatementReader {
public:
    OfxReader(std::istream& in, const std::string& name) : m_tokens(in, name) {}

    Result<bool> next(StatementLine& out) override
    {
        Transaction trn;
        bool in_trn = false;
        Field* current = nullptr;
        Token token;
        for (;;) {
            auto more = m_tokens.next(token);
            if (!more) {
                return tl::unexpected(more.error());
            }
            if (!*more) {
                return at_end(in_trn ? &trn : nullptr);
            }
            if (token.kind == TokenKind::text) {
                if (current != nullptr && !current->present) {
                    current->value = std::string(trim(token.value));
                    current->line = token.line;
                    current->column = token.column;
                    current->present = true;
                }
                current = nullptr;
                continue;
            }
            const std::string& tag = token.value;
            current = nullptr;
            if (token.kind == TokenKind::start_tag) {
                if (tag == "OFX") {
                    m_seen_ofx = true;
                } else if (tag == "STMTTRN") {
                    if (in_trn) {
                        return m_tokens.fail_at(token.line, token.column,
                                                fmt::format("<STMTTRN> inside the <STMTTRN> of line {} "
                                                            "(missing </STMTTRN>)",
                                                            trn.line));
                    }
                    trn = Transaction{};
                    trn.line = token.line;
                    trn.column = token.column;
                    in_trn = !token.self_closing;
                } else if (in_trn) {
                    trn.in_payee = trn.in_payee || tag == "PAYEE";
                    current = token.self_closing ? nullptr : trn.field(tag);
                }
                continue;
            }
            if (tag == "OFX") {
                m_closed_ofx = true;
            }
            if (!in_trn) {
                if (tag == "STMTTRN") {
                    return m_tokens.fail_at(token.line, token.column, "</STMTTRN> without <STMTTRN>");
                }
                continue;
            }
            if (tag == "STMTTRN") {
                return finish(trn, out);
            }
            if (tag == "PAYEE") {
                trn.in_payee = false;
            } else if (tag == "BANKTRANLIST" || tag == "OFX" || tag.ends_with("STMTRS") || tag.ends_with("MSGSRSV1")) {
                return m_tokens.fail_at(token.line, token.column,
                                        fmt::format("</{}> closes the <STMTTRN> of line {} (missing </STMTTRN>)",
                                                    tag, trn.line));
            }
        }
    }

private:
    Result<bool> at_end(const Transaction* open)
    {
        if (open != nullptr) {
            return m_tokens.fail_at(m_tokens.line(), m_tokens.column(),
                                    fmt::format("end of file inside the <STMTTRN> of line {} (truncated file?)",
                                                open->line));
        }
        if (!m_seen_ofx) {
            return m_tokens.fail_at(1, 1, "not an OFX statement (no <OFX> element)");
        }
        if (!m_closed_ofx) {
            return m_tokens.fail_at(m_tokens.line(), m_tokens.column(), "end of file before </OFX> (truncated file?)");
        }
        return false;
    }

    Result<bool> finish(const Transaction& trn, StatementLine& out)
    {
        for (const auto& [field, tag] : {std::pair{&trn.dtposted, "DTPOSTED"}, std::pair{&trn.trnamt, "TRNAMT"}}) {
            if (!field->present) {
                return m_tokens.fail_at(trn.line, trn.column, fmt::format("<STMTTRN> without {}", tag));
            }
        }
        const auto date = parse_ofx_date(trn.dtposted.value);
        if (!date) {
            return m_tokens.fail_at(trn.dtposted.line, trn.dtposted.column,
                                    fmt::format("DTPOSTED '{}' is not a date (YYYYMMDD[HHMMSS])", trn.dtposted.value));
        }
        auto amount = parse_ofx_amount(trn.trnamt.value);
        if (!amount) {
            return m_tokens.fail_at(trn.trnamt.line, trn.trnamt.column,
                                    fmt::format("TRNAMT '{}' is not an amount (like -12.50)", trn.trnamt.value));
        }
        // Some banks write debits unsigned; a debit must never look like a payment received.
        if (trn.trntype.value == "DEBIT" && *amount > 0) {
            *amount = -*amount;
        }
        const std::string& name = trn.name.present ? trn.name.value : trn.payee_name.value;
        out = StatementLine{};
        out.line = trn.line;
        out.date = *date;
        out.amount = *amount;
        out.id = trn.fitid.value;
        if (!name.empty() && !trn.memo.value.empty() && name != trn.memo.value) {
            out.description = name + " - " + trn.memo.value;
        } else {
            out.description = name.empty() ? trn.memo.value : name;
        }
        out.tax_id = detail::find_tax_id(name);
        if (out.tax_id.empty()) {
            out.tax_id = detail::find_tax_id(trn.memo.value);
        }
        return true;
    }

    Tokenizer m_tokens;
    bool m_seen_ofx = false;
    bool m_closed_ofx = false;
};

}  // namespace

bool looks_like_ofx(std::string_view head)
{
    if (head.starts_with("\xEF\xBB\xBF")) {
        head.remove_prefix(3);
    }
    while (!head.empty() && is_space(static_cast<unsigned char>(head.front()))) {
        head.remove_prefix(1);
    }
    if (detail::starts_with_icase(head, "OFXHEADER") || detail::starts_with_icase(head, "<OFX>")) {
        return true;
    }
    if (!detail::starts_with_icase(head, "<?xml")) {
        return false;
    }
    std::size_t end = 0;
    for (int lines = 0; lines < 10 && end < head.size() && end < 4096; ++end) {
        lines += head[end] == '\n' ? 1 : 0;
    }
    const std::string_view start = head.substr(0, end);
    for (std::size_t i = 0; i < start.size(); ++i) {
        const std::string_view at = start.substr(i);
        if (detail::starts_with_icase(at, "<?OFX") || detail::starts_with_icase(at, "<OFX>")) {
            return true;
        }
    }
    return false;
}

Result<std::unique_ptr<StatementReader>> open_ofx(std::istream& in, std::string name)
{
    return std::unique_ptr<StatementReader>(std::make_unique<OfxReader>(in, name));
}

}  // namespace billrun::reconcile
