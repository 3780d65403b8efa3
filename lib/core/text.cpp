#include <billrun/core/text.hpp>

#include <array>
#include <cstdint>

namespace billrun {

namespace {

unsigned char byte_at(std::string_view s, std::size_t i)
{
    return static_cast<unsigned char>(s[i]);
}

bool is_continuation(unsigned char b)
{
    return (b & 0xC0U) == 0x80U;
}

void append_utf8(std::uint32_t cp, std::string& out)
{
    if (cp < 0x80U) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800U) {
        out.push_back(static_cast<char>(0xC0U | (cp >> 6)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else {
        out.push_back(static_cast<char>(0xE0U | (cp >> 12)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 6) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    }
}

// Windows-1252 0x80..0x9F; 0 marks the five undefined bytes.
constexpr std::array<std::uint16_t, 32> k_cp1252_c1 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80..87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,       // 88..8F
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90..97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,  // 98..9F
};

// Folding of U+00C0..U+00FF (UTF-8 C3 80..C3 BF): an ASCII letter when the accent is
// stripped, else the second byte of the (lower-case) character to keep after C3.
constexpr std::array<unsigned char, 64> k_latin1_fold = {
    'a',  'a', 'a', 'a', 'a', 'a', 0xA6, 'c',   // À Á Â Ã Ä Å Æ->æ Ç
    'e',  'e', 'e', 'e', 'i', 'i', 'i',  'i',   // È É Ê Ë Ì Í Î Ï
    0xB0, 'n', 'o', 'o', 'o', 'o', 'o',  0x97,  // Ð->ð Ñ Ò Ó Ô Õ Ö ×
    'o',  'u', 'u', 'u', 'u', 'y', 0xBE, 0x9F,  // Ø Ù Ú Û Ü Ý Þ->þ ß
    'a',  'a', 'a', 'a', 'a', 'a', 0xA6, 'c',   // à á â ã ä å æ ç
    'e',  'e', 'e', 'e', 'i', 'i', 'i',  'i',   // è é ê ë ì í î ï
    0xB0, 'n', 'o', 'o', 'o', 'o', 'o',  0xB7,  // ð ñ ò ó ô õ ö ÷
    'o',  'u', 'u', 'u', 'u', 'y', 0xBE, 'y',   // ø ù ú û ü ý þ ÿ
};

bool is_dropped_ascii(char c)
{
    return c == ' ' || c == '_' || c == '-' || c == '/' || c == '.';
}

}  // namespace

int utf8_sequence_length(std::string_view s)
{
    if (s.empty()) {
        return 0;
    }
    const unsigned char b0 = byte_at(s, 0);
    if (b0 < 0x80U) {
        return 1;
    }
    int length = 0;
    unsigned char lo = 0x80U;  // allowed range of the second byte (Unicode table 3-7)
    unsigned char hi = 0xBFU;
    if (b0 >= 0xC2U && b0 <= 0xDFU) {
        length = 2;
    } else if (b0 >= 0xE0U && b0 <= 0xEFU) {
        length = 3;
        if (b0 == 0xE0U) {
            lo = 0xA0U;  // no overlongs
        } else if (b0 == 0xEDU) {
            hi = 0x9FU;  // no surrogates
        }
    } else if (b0 >= 0xF0U && b0 <= 0xF4U) {
        length = 4;
        if (b0 == 0xF0U) {
            lo = 0x90U;  // no overlongs
        } else if (b0 == 0xF4U) {
            hi = 0x8FU;  // nothing above U+10FFFF
        }
    } else {
        return 0;  // continuation byte, C0/C1 overlong lead, or F5..FF
    }
    if (s.size() < static_cast<std::size_t>(length)) {
        return 0;
    }
    const unsigned char b1 = byte_at(s, 1);
    if (b1 < lo || b1 > hi) {
        return 0;
    }
    for (int i = 2; i < length; ++i) {
        if (!is_continuation(byte_at(s, static_cast<std::size_t>(i)))) {
            return 0;
        }
    }
    return length;
}

bool is_valid_utf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        if (byte_at(s, i) < 0x80U) {
            ++i;
            continue;
        }
        const int length = utf8_sequence_length(s.substr(i));
        if (length == 0) {
            return false;
        }
        i += static_cast<std::size_t>(length);
    }
    return true;
}

bool is_digits(std::string_view s)
{
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string for_terminal(std::string_view s)
{
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    const auto escape = [&](unsigned char b) {
        out += "\\x";
        out.push_back(k_hex[b >> 4U]);
        out.push_back(k_hex[b & 0x0fU]);
    };
    for (std::size_t i = 0; i < s.size();) {
        const auto b = byte_at(s, i);
        const int length = utf8_sequence_length(s.substr(i));
        if (length == 0) {
            escape(b);
            ++i;
        } else if (length == 1) {
            if ((b < 0x20U && b != '\n' && b != '\t') || b == 0x7fU) {
                escape(b);
            } else {
                out.push_back(static_cast<char>(b));
            }
            ++i;
        } else if (b == 0xc2U && byte_at(s, i + 1) < 0xa0U) {  // U+0080..U+009F: C1 controls
            escape(b);
            escape(byte_at(s, i + 1));
            i += 2;
        } else {
            out.append(s.substr(i, static_cast<std::size_t>(length)));
            i += static_cast<std::size_t>(length);
        }
    }
    return out;
}

bool append_cp1252_as_utf8(std::string_view in, std::string& out)
{
    bool ok = true;
    out.reserve(out.size() + in.size() + in.size() / 4);
    for (const char c : in) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x80U) {
            out.push_back(c);
        } else if (b >= 0xA0U) {
            append_utf8(b, out);
        } else {
            std::uint32_t cp = k_cp1252_c1[b - 0x80U];
            if (cp == 0) {
                cp = 0xFFFDU;
                ok = false;
            }
            append_utf8(cp, out);
        }
    }
    return ok;
}

std::string fold_key(std::string_view utf8)
{
    std::string out;
    out.reserve(utf8.size());
    std::size_t i = 0;
    while (i < utf8.size()) {
        const unsigned char b = byte_at(utf8, i);
        if (b < 0x80U) {
            const char c = utf8[i];
            if (c >= 'A' && c <= 'Z') {
                out.push_back(static_cast<char>(c - 'A' + 'a'));
            } else if (!is_dropped_ascii(c)) {
                out.push_back(c);
            }
            ++i;
            continue;
        }
        const bool has_next = i + 1 < utf8.size();
        const unsigned char next = has_next ? byte_at(utf8, i + 1) : 0;
        if (b == 0xC3U && is_continuation(next)) {
            const unsigned char folded = k_latin1_fold[next - 0x80U];
            if (folded < 0x80U) {
                out.push_back(static_cast<char>(folded));
            } else {
                out.push_back(static_cast<char>(0xC3U));
                out.push_back(static_cast<char>(folded));
            }
            i += 2;
            continue;
        }
        if (b == 0xC2U && next == 0xA0U) {  // no-break space: a space
            i += 2;
            continue;
        }
        if (b == 0xEFU && utf8.substr(i, 3) == "\xEF\xBB\xBF") {  // byte order mark
            i += 3;
            continue;
        }
        out.push_back(utf8[i]);
        ++i;
    }
    return out;
}

std::string_view trim(std::string_view s)
{
    const auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t begin = 0;
    std::size_t end = s.size();
    while (begin < end && is_blank(s[begin])) {
        ++begin;
    }
    while (end > begin && is_blank(s[end - 1])) {
        --end;
    }
    return s.substr(begin, end - begin);
}

std::string digits_only(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            out += c;
        }
    }
    return out;
}

namespace {

bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == 0x7f || c == '"' || c == '\\';
}

}  // namespace

void append_escaped(std::string& out, std::string_view s, bool json)
{
    // Runs of characters that need no escape go in whole (most strings are one such run).
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (!needs_escape(c)) {
            continue;
        }
        out.append(s.data() + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {
            constexpr std::string_view hex = "0123456789abcdef";
            out += json ? "\\u00" : "\\x";
            out += hex[c >> 4U];
            out += hex[c & 0xFU];
        }
        }
    }
    out.append(s.data() + start, s.size() - start);
}

void append_json_string(std::string& out, std::string_view s)
{
    out += '"';
    append_escaped(out, s, true);
    out += '"';
}

}  // namespace billrun
