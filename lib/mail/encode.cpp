#include "encode.hpp"

#include <billrun/core/text.hpp>

namespace billrun::mail::detail {

namespace {

constexpr char k_base64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char k_hex[] = "0123456789ABCDEF";

void append_hex(std::string& out, char prefix, unsigned char c)
{
    out += prefix;
    out += k_hex[c >> 4];
    out += k_hex[c & 0x0F];
}

// The length of the character at s[0]; an invalid byte counts as a character of its own.
std::size_t char_length(std::string_view s)
{
    int n = utf8_sequence_length(s);
    return n > 0 ? static_cast<std::size_t>(n) : 1;
}

bool is_attribute_char(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::string base64(std::string_view data, std::size_t wrap)
{
    std::string out;
    std::size_t encoded = (data.size() + 2) / 3 * 4;
    out.reserve(encoded + (wrap > 0 ? encoded / wrap * 2 + 2 : 0));
    std::size_t column = 0;
    auto put = [&](char c) {
        out += c;
        if (wrap > 0 && ++column == wrap) {
            out += "\r\n";
            column = 0;
        }
    };
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        auto b0 = static_cast<unsigned char>(data[i]);
        auto b1 = static_cast<unsigned char>(data[i + 1]);
        auto b2 = static_cast<unsigned char>(data[i + 2]);
        put(k_base64[b0 >> 2]);
        put(k_base64[((b0 & 0x03) << 4) | (b1 >> 4)]);
        put(k_base64[((b1 & 0x0F) << 2) | (b2 >> 6)]);
        put(k_base64[b2 & 0x3F]);
    }
    if (std::size_t rest = data.size() - i; rest > 0) {
        auto b0 = static_cast<unsigned char>(data[i]);
        auto b1 = rest > 1 ? static_cast<unsigned char>(data[i + 1]) : 0U;
        put(k_base64[b0 >> 2]);
        put(k_base64[((b0 & 0x03) << 4) | (b1 >> 4)]);
        put(rest > 1 ? k_base64[(b1 & 0x0F) << 2] : '=');
        put('=');
    }
    if (wrap > 0 && column > 0) {
        out += "\r\n";
    }
    return out;
}

std::vector<std::string_view> split_lines(std::string_view text)
{
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' || text[i] == '\r') {
            lines.push_back(text.substr(start, i - start));
            if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            start = i + 1;
        }
    }
    if (start < text.size()) {
        lines.push_back(text.substr(start));
    }
    return lines;
}

std::string quoted_printable(const std::vector<std::string_view>& lines)
{
    std::string out;
    std::size_t size = 0;
    for (std::string_view line : lines) {
        size += line.size() + 2;
    }
    out.reserve(size + size / 4);
    for (std::string_view line : lines) {
        std::size_t column = 0;  // of the encoded line being written
        bool from_line = line.starts_with("From ");
        for (std::size_t i = 0; i < line.size(); ++i) {
            auto c = static_cast<unsigned char>(line[i]);
            bool last = i + 1 == line.size();
            bool encode = c == '=' || (c < 0x20 && c != '\t') || c >= 0x7F || ((c == ' ' || c == '\t') && last) ||
                          (i == 0 && from_line);
            // A soft break ('=') must still fit in 76 columns unless this is the line's last character.
            std::size_t limit = last ? 76 : 75;
            if (column + (encode ? 3 : 1) > limit) {
                out += "=\r\n";
                column = 0;
            }
            if (encode || (column == 0 && c == '.')) {
                append_hex(out, '=', c);
                column += 3;
            } else {
                out += static_cast<char>(c);
                ++column;
            }
        }
        out += "\r\n";
    }
    return out;
}

std::vector<std::string> encoded_words(std::string_view utf8)
{
    // 39 bytes -> 52 base64 characters -> a 64-character word: "Subject: " + word fits in 78.
    constexpr std::size_t k_chunk = 39;
    std::vector<std::string> words;
    while (!utf8.empty()) {
        std::size_t take = 0;
        while (take < utf8.size()) {
            std::size_t n = char_length(utf8.substr(take));
            if (take + n > k_chunk && take > 0) {
                break;
            }
            take += n;
        }
        words.push_back("=?UTF-8?B?" + base64(utf8.substr(0, take)) + "?=");
        utf8.remove_prefix(take);
    }
    return words;
}

std::vector<std::string> rfc2231_parameter(std::string_view name, std::string_view utf8)
{
    // Percent-encoded pieces, one per character, so a section never splits one.
    constexpr std::size_t k_section = 60;
    std::vector<std::string> sections(1);
    while (!utf8.empty()) {
        std::size_t n = char_length(utf8);
        std::string piece;
        for (std::size_t i = 0; i < n; ++i) {
            auto c = static_cast<unsigned char>(utf8[i]);
            if (is_attribute_char(c)) {
                piece += static_cast<char>(c);
            } else {
                append_hex(piece, '%', c);
            }
        }
        if (!sections.back().empty() && sections.back().size() + piece.size() > k_section) {
            sections.emplace_back();
        }
        sections.back() += piece;
        utf8.remove_prefix(n);
    }
    std::vector<std::string> tokens;
    std::string prefix(name);
    for (std::size_t i = 0; i < sections.size(); ++i) {
        std::string token = sections.size() == 1 ? prefix + "*=" : prefix + "*" + std::to_string(i) + "*=";
        if (i == 0) {
            token += "UTF-8''";
        }
        token += sections[i];
        if (i + 1 < sections.size()) {
            token += ';';
        }
        tokens.push_back(std::move(token));
    }
    return tokens;
}

}  // namespace billrun::mail::detail
