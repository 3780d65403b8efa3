#include <billrun/io/roff.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace billrun::io {

namespace {

constexpr char k_unbreakable = '\x01';  // "\ ": a space that does not separate words
constexpr int k_indent = 7;             // man's IN: the body's margin and .TP/.IP's indent
constexpr int k_subheading = 3;         // man's SN: where .SS headings start

struct Glyph {
    std::string_view name;
    std::string_view text;
};

// The named glyphs (groff_char(7)) that billrun's pages use, and their neighbours.
constexpr Glyph k_glyphs[] = {
    {"aq", "'"},  {"dq", "\""}, {"lq", "\u201c"}, {"rq", "\u201d"}, {"oq", "\u2018"}, {"cq", "\u2019"},
    {"bu", "\u2022"}, {"en", "\u2013"}, {"em", "\u2014"}, {"hy", "-"}, {"mi", "-"}, {"mu", "\u00d7"},
    {"di", "\u00f7"}, {"sc", "\u00a7"}, {"co", "\u00a9"}, {"de", "\u00b0"}, {"rs", "\\"}, {"ti", "~"},
    {"ha", "^"},  {"'a", "\u00e1"}, {"'e", "\u00e9"}, {"'i", "\u00ed"}, {"'o", "\u00f3"}, {"'u", "\u00fa"},
    {"'A", "\u00c1"}, {"'E", "\u00c9"}, {"'I", "\u00cd"}, {"'O", "\u00d3"}, {"'U", "\u00da"},
    {"`a", "\u00e0"}, {"`A", "\u00c0"}, {"^a", "\u00e2"}, {"^e", "\u00ea"}, {"^o", "\u00f4"},
    {"^A", "\u00c2"}, {"^E", "\u00ca"}, {"^O", "\u00d4"}, {"~a", "\u00e3"}, {"~o", "\u00f5"},
    {"~A", "\u00c3"}, {"~O", "\u00d5"}, {"~n", "\u00f1"}, {",c", "\u00e7"}, {",C", "\u00c7"},
    {":u", "\u00fc"},
};

void append_utf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

void append_glyph(std::string& out, std::string_view name)
{
    for (const auto& g : k_glyphs) {
        if (g.name == name) {
            out += g.text;
            return;
        }
    }
    std::uint32_t cp = 0;
    if (name.size() > 1 && name[0] == 'u' &&
        std::from_chars(name.data() + 1, name.data() + name.size(), cp, 16).ptr == name.data() + name.size()) {
        append_utf8(out, cp);
    }
}

// Display width: one column per character (the pages hold no wide ones).
int columns(std::string_view text)
{
    return static_cast<int>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

// The line without its comment (\").
std::string_view uncommented(std::string_view line)
{
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
        if (line[i] == '\\') {
            if (line[i + 1] == '"') {
                return line.substr(0, i);
            }
            ++i;
        }
    }
    return line;
}

// Text with its escapes resolved; `joined` is set by \c (the next line continues this word).
std::string expand(std::string_view s, bool* joined = nullptr)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        char e = s[++i];
        switch (e) {
        case '-':
            out += '-';
            break;
        case 'e':
        case '\\':
            out += '\\';
            break;
        case ' ':
        case '~':
            out += k_unbreakable;
            break;
        case '&':
        case '%':
        case '|':
        case '^':
        case ')':
            break;
        case 'c':
            if (joined) {
                *joined = true;
            }
            break;
        case '(':
            append_glyph(out, s.substr(i + 1, 2));
            i = std::min(i + 2, s.size() - 1);
            break;
        case '[': {
            auto end = s.find(']', i);
            if (end == std::string_view::npos) {
                return out;
            }
            append_glyph(out, s.substr(i + 1, end - i - 1));
            i = end;
            break;
        }
        case 'f':  // fonts: plain text has none
            if (i + 1 < s.size() && s[i + 1] == '[') {
                auto end = s.find(']', i);
                i = end == std::string_view::npos ? s.size() : end;
            } else if (i + 1 < s.size() && s[i + 1] == '(') {
                i += 3;
            } else {
                ++i;
            }
            break;
        default:
            out += e;
        }
    }
    return out;
}

// A request's arguments: separated by spaces, "double quoted" when they hold spaces.
std::vector<std::string> arguments(std::string_view s)
{
    std::vector<std::string> args;
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
            ++i;
        }
        if (i >= s.size()) {
            return args;
        }
        std::string arg;
        if (s[i] == '"') {
            for (++i; i < s.size(); ++i) {
                if (s[i] == '"') {
                    if (i + 1 < s.size() && s[i + 1] == '"') {
                        arg += '"';
                        ++i;
                        continue;
                    }
                    ++i;
                    break;
                }
                arg += s[i];
            }
        } else {
            while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    arg += s[i++];
                }
                arg += s[i++];
            }
        }
        args.push_back(std::move(arg));
    }
}

// An indent argument ("4", "4n") in columns.
std::optional<int> indent_of(const std::vector<std::string>& args, std::size_t index)
{
    int value = 0;
    if (index >= args.size()) {
        return std::nullopt;
    }
    const auto& arg = args[index];
    if (std::from_chars(arg.data(), arg.data() + arg.size(), value).ec != std::errc()) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string> words_of(std::string_view text)
{
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        auto start = text.find_first_not_of(" \t", i);
        if (start == std::string_view::npos) {
            break;
        }
        auto end = text.find_first_of(" \t", start);
        end = end == std::string_view::npos ? text.size() : end;
        words.emplace_back(text.substr(start, end - start));
        i = end;
    }
    return words;
}

class Page {
public:
    explicit Page(int width) : m_width(width) {}

    void line(std::string_view raw)
    {
        auto text = uncommented(raw);
        if (!text.empty() && (text[0] == '.' || text[0] == '\'')) {
            auto rest = text.substr(1);
            auto start = rest.find_first_not_of(" \t");
            if (start == std::string_view::npos) {
                return;
            }
            rest = rest.substr(start);
            auto end = rest.find_first_of(" \t");
            auto name = rest.substr(0, end);
            request(name, end == std::string_view::npos ? std::string_view() : rest.substr(end));
            return;
        }
        if (raw.size() != text.size() && text.empty()) {
            return;  // a comment line of text
        }
        bool joined = false;
        auto expanded = expand(text, &joined);
        add_text(expanded, joined, !text.empty() && (text[0] == ' ' || text[0] == '\t'));
    }

    std::string finish()
    {
        flush();
        m_out += '\n';
        m_out += three_part(m_source, m_date, m_title);
        return std::move(m_out);
    }

private:
    void request(std::string_view name, std::string_view rest)
    {
        auto args = arguments(rest);
        if (name == "TH") {
            header(args);
        } else if (name == "SH" || name == "SS") {
            flush();
            space();
            m_margin = k_indent;
            m_ip = k_indent;
            m_in_ip = false;
            m_saved.clear();
            m_heading_at = name == "SH" ? 0 : k_subheading;
            if (args.empty()) {
                m_heading_next = true;
            } else {
                heading(joined_args(args, " "));
            }
        } else if (name == "PP" || name == "LP" || name == "P") {
            paragraph();
            m_in_ip = false;
            m_ip = k_indent;
        } else if (name == "TP") {
            paragraph();
            m_ip = indent_of(args, 0).value_or(m_ip);
            m_in_ip = true;
            m_awaiting_tag = true;
        } else if (name == "TQ") {  // one more tag: after the first one, or after a body
            flush();
            m_awaiting_tag = true;
        } else if (name == "IP") {
            paragraph();
            m_ip = indent_of(args, 1).value_or(m_ip);
            m_in_ip = true;
            if (!args.empty() && !args[0].empty()) {
                m_tags.push_back(expand(args[0]));
            }
        } else if (name == "RS") {
            flush();
            m_saved.emplace_back(m_margin, m_ip);
            m_margin += indent_of(args, 0).value_or(m_ip);
            m_ip = k_indent;
            m_in_ip = false;
        } else if (name == "RE") {
            flush();
            if (!m_saved.empty()) {
                std::tie(m_margin, m_ip) = m_saved.back();
                m_saved.pop_back();
            }
            m_in_ip = false;
        } else if (name == "PD") {
            m_paragraph_space = args.empty() || args[0] != "0";
        } else if (name == "nf" || name == "EX") {
            flush();
            m_fill = false;
        } else if (name == "fi" || name == "EE") {
            flush();
            m_fill = true;
        } else if (name == "br") {
            flush();
        } else if (name == "sp") {
            flush();
            space();
        } else if (name == "B" || name == "I" || name == "SM" || name == "SB") {
            if (!args.empty()) {
                add_text(joined_args(args, " "), false, false);
            }
        } else if (name == "BR" || name == "RB" || name == "BI" || name == "IB" || name == "IR" || name == "RI") {
            add_text(joined_args(args, ""), false, false);
        }
        // Anything else (.nh, .ad, .hy, .ne...) changes no word.
    }

    static std::string joined_args(const std::vector<std::string>& args, std::string_view separator)
    {
        std::string text;
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (i > 0) {
                text += separator;
            }
            text += expand(args[i]);
        }
        return text;
    }

    void header(const std::vector<std::string>& args)
    {
        auto arg = [&](std::size_t i) { return i < args.size() ? expand(args[i]) : std::string(); };
        m_title = arg(0) + "(" + arg(1) + ")";
        m_date = arg(2);
        m_source = arg(3);
        std::string manual = arg(4);
        if (manual.empty()) {
            manual = arg(1) == "5" ? "File Formats Manual" : "General Commands Manual";
        }
        m_out += three_part(m_title, manual, m_title);
        space();
    }

    // "left   center   right" across the width, the center centred, as man's header and footer.
    std::string three_part(const std::string& left, const std::string& center, const std::string& right) const
    {
        int start = std::max(columns(left) + 1, (m_width - columns(center)) / 2);
        int gap = std::max(1, m_width - start - columns(center) - columns(right));
        return left + std::string(static_cast<std::size_t>(start - columns(left)), ' ') + center +
               std::string(static_cast<std::size_t>(gap), ' ') + right + '\n';
    }

    void paragraph()
    {
        flush();
        if (m_paragraph_space) {
            space();
        }
        m_tags.clear();
        m_awaiting_tag = false;
    }

    void add_text(const std::string& text, bool joined, bool leading_space)
    {
        if (m_heading_next) {
            m_heading_next = false;
            heading(text);
            return;
        }
        if (m_awaiting_tag) {
            m_awaiting_tag = false;
            m_tags.push_back(text);
            return;
        }
        if (!m_fill) {
            flush();
            emit_at(body_indent(), text);
            return;
        }
        if (words_of(text).empty() && !joined) {
            flush();
            space();
            return;
        }
        if (leading_space) {
            flush();
        }
        auto words = words_of(text);
        auto next = words.begin();
        if (m_join && !m_words.empty() && next != words.end()) {
            m_words.back() += *next++;
        }
        m_words.insert(m_words.end(), next, words.end());
        m_join = joined;
    }

    void heading(const std::string& text)
    {
        emit_at(m_heading_at, text);
        m_after_heading = true;
    }

    int body_indent() const { return m_margin + (m_in_ip ? m_ip : 0); }

    // Lays out the words gathered since the last break, after the paragraph's tags.
    void flush()
    {
        int indent = body_indent();
        std::string line;
        if (!m_tags.empty()) {
            for (std::size_t i = 0; i + 1 < m_tags.size(); ++i) {
                emit_at(m_margin, m_tags[i]);
            }
            const auto& last = m_tags.back();
            if (!m_words.empty() && columns(last) < indent - m_margin) {
                line = std::string(static_cast<std::size_t>(m_margin), ' ') + last;
                line += std::string(static_cast<std::size_t>(indent - columns(line)), ' ');
            } else {
                emit_at(m_margin, last);
            }
            m_tags.clear();
        }
        bool empty = true;
        for (const auto& word : m_words) {
            if (line.empty()) {
                line = std::string(static_cast<std::size_t>(indent), ' ');
                empty = true;
            }
            if (!empty && columns(line) + 1 + columns(word) > m_width) {
                emit_at(0, line);
                line = std::string(static_cast<std::size_t>(indent), ' ');
                empty = true;
            }
            if (!empty) {
                line += ' ';
            }
            line += word;
            empty = false;
        }
        if (!line.empty()) {
            emit_at(0, line);
        }
        m_words.clear();
        m_join = false;
    }

    // A blank line before the next one, except right after a heading (groff's no-space mode).
    void space() { m_pending_space = !m_after_heading; }

    void emit_at(int indent, std::string_view text)
    {
        if (m_pending_space) {
            m_out += '\n';
            m_pending_space = false;
        }
        std::string line(static_cast<std::size_t>(indent), ' ');
        line += text;
        std::replace(line.begin(), line.end(), k_unbreakable, ' ');
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        m_out += line;
        m_out += '\n';
        m_after_heading = false;
    }

    int m_width;
    std::string m_out;
    std::string m_title;
    std::string m_date;
    std::string m_source;
    int m_margin = k_indent;
    int m_ip = k_indent;  // the indent of .TP and .IP bodies from the margin
    bool m_in_ip = false;
    std::vector<std::pair<int, int>> m_saved;  // margin and indent before each .RS
    bool m_fill = true;
    bool m_paragraph_space = true;
    bool m_pending_space = false;
    bool m_heading_next = false;
    bool m_after_heading = false;
    int m_heading_at = 0;
    bool m_awaiting_tag = false;
    std::vector<std::string> m_tags;
    std::vector<std::string> m_words;
    bool m_join = false;
};

}  // namespace

std::string render_man(std::string_view roff, int width)
{
    Page page(width);
    while (!roff.empty()) {
        auto end = roff.find('\n');
        page.line(roff.substr(0, end));
        roff = end == std::string_view::npos ? std::string_view() : roff.substr(end + 1);
    }
    return page.finish();
}

}  // namespace billrun::io
