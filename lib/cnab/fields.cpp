#include "fields.hpp"

#include <billrun/cnab/remessa.hpp>
#include <billrun/core/text.hpp>

#include <array>
#include <cstring>

namespace billrun::cnab {

namespace detail {

namespace {

// U+00C0..U+00FF (UTF-8 C3 80..C3 BF) without accents, upper case; "" drops the character.
constexpr std::array<const char*, 64> k_latin1_fold = {
    "A", "A", "A", "A", "A", "A", "AE", "C",  // À Á Â Ã Ä Å Æ Ç
    "E", "E", "E", "E", "I", "I", "I",  "I",  // È É Ê Ë Ì Í Î Ï
    "D", "N", "O", "O", "O", "O", "O",  "",   // Ð Ñ Ò Ó Ô Õ Ö ×
    "O", "U", "U", "U", "U", "Y", "",   "SS", // Ø Ù Ú Û Ü Ý Þ ß
    "A", "A", "A", "A", "A", "A", "AE", "C",  // à á â ã ä å æ ç
    "E", "E", "E", "E", "I", "I", "I",  "I",  // è é ê ë ì í î ï
    "D", "N", "O", "O", "O", "O", "O",  "",   // ð ñ ò ó ô õ ö ÷
    "O", "U", "U", "U", "U", "Y", "",   "Y",  // ø ù ú û ü ý þ ÿ
};

// U+0080..U+00BF (UTF-8 C2 xx): the few that Brazilian addresses use.
const char* fold_c2(unsigned char second)
{
    switch (second) {
    case 0xA0: return " ";  // no-break space
    case 0xAA: return "A";  // ª (1ª travessa)
    case 0xB0:              // ° typed for º
    case 0xBA: return "O";  // º (nº 12)
    default: return "";
    }
}

// ASCII in CNAB: upper case; control characters become spaces (a tab or a line break must
// never split a record).
constexpr std::array<char, 128> k_ascii = [] {
    std::array<char, 128> table{};
    for (int c = 0; c < 128; ++c) {
        table[static_cast<std::size_t>(c)] = c < 0x20 || c == 0x7F ? ' '
                                             : c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A')
                                                                    : static_cast<char>(c);
    }
    return table;
}();

bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

char upper(char c)
{
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

void two_digits(char* p, unsigned value)
{
    p[0] = static_cast<char>('0' + value / 10 % 10);
    p[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

const char* DateCache::ddmmaaaa(Date date)
{
    Entry& e = m_entries[static_cast<std::uint32_t>(date.days()) % m_entries.size()];
    if (e.days != date.days()) {
        const auto year = static_cast<unsigned>(date.year());
        two_digits(e.text, static_cast<unsigned>(date.day()));
        two_digits(e.text + 2, static_cast<unsigned>(date.month()));
        two_digits(e.text + 4, year / 100);
        two_digits(e.text + 6, year);
        e.days = date.days();
    }
    return e.text;
}

void Record::num(int pos, int len, std::int64_t value)
{
    char* p = at(pos, len);
    auto v = static_cast<std::uint64_t>(value < 0 ? 0 : value);
    int k = len;
    while (k > 0 && v != 0) {
        p[--k] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    std::memset(p, '0', static_cast<std::size_t>(k));
}

void Record::digits(int pos, int len, std::string_view chars)
{
    char* p = at(pos, len);
    const auto width = static_cast<std::size_t>(len);
    if (chars.size() >= width) {
        std::memcpy(p, chars.data() + (chars.size() - width), width);
        return;
    }
    const std::size_t pad = width - chars.size();
    std::memset(p, '0', pad);
    std::memcpy(p + pad, chars.data(), chars.size());
}

void Record::digits_in(int pos, int len, std::string_view text)
{
    char* p = at(pos, len);
    int k = len;
    for (std::size_t i = text.size(); i > 0 && k > 0; --i) {
        const char c = text[i - 1];
        if (c >= '0' && c <= '9') {
            p[--k] = c;
        }
    }
    std::memset(p, '0', static_cast<std::size_t>(k));
}

void Record::tax_id(int pos, int len, std::string_view text)
{
    char* p = at(pos, len);
    int k = len;
    for (std::size_t i = text.size(); i > 0 && k > 0; --i) {
        const char c = text[i - 1];
        if (is_alnum(c)) {
            p[--k] = upper(c);
        }
    }
    std::memset(p, '0', static_cast<std::size_t>(k));
}

void Record::text(int pos, int len, std::string_view utf8)
{
    char* p = at(pos, len);
    const auto width = static_cast<std::size_t>(len);
    const std::size_t n = fold_text(trim(utf8), p, width);
    std::memset(p + n, ' ', width - n);
}

void Record::date8(int pos, Date date)
{
    std::memcpy(at(pos, 8), m_dates->ddmmaaaa(date), 8);
}

void Record::date6(int pos, Date date)
{
    char* p = at(pos, 6);
    const char* text = m_dates->ddmmaaaa(date);
    std::memcpy(p, text, 4);
    std::memcpy(p + 4, text + 6, 2);
}

Record append_record(std::string& out, int width, DateCache& dates)
{
    const std::size_t start = out.size();
    out.resize(start + static_cast<std::size_t>(width) + 2, ' ');
    char* data = out.data() + start;
    data[width] = '\r';
    data[width + 1] = '\n';
    return Record(data, width, &dates);
}

std::string clean_tax_id(std::string_view tax_id)
{
    std::string out;
    out.reserve(tax_id.size());
    for (const char c : tax_id) {
        if (is_alnum(c)) {
            out.push_back(upper(c));
        }
    }
    return out;
}

char tax_id_kind(std::string_view tax_id)
{
    std::size_t count = 0;
    for (const char c : tax_id) {
        count += is_alnum(c) ? 1 : 0;
    }
    return count == 11 ? '1' : count == 14 ? '2' : '0';
}

std::string zero_pad(std::string_view text, std::size_t width)
{
    if (text.size() >= width) {
        return std::string(text.substr(text.size() - width));
    }
    std::string out(width - text.size(), '0');
    out.append(text);
    return out;
}

bool all_digits(std::string_view text)
{
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

std::size_t fold_text(std::string_view utf8, char* dst, std::size_t width)
{
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < utf8.size() && n < width) {
        const auto b = static_cast<unsigned char>(utf8[i]);
        if (b < 0x80U) {
            dst[n++] = k_ascii[b];
            ++i;
            continue;
        }
        const int length = utf8_sequence_length(utf8.substr(i));
        if (length == 0) {
            ++i;  // not UTF-8: drop the byte
            continue;
        }
        if (length == 2) {
            const auto second = static_cast<unsigned char>(utf8[i + 1]);
            const char* folded = b == 0xC3U ? k_latin1_fold[second - 0x80U]
                                 : b == 0xC2U ? fold_c2(second)
                                              : "";
            for (; *folded != '\0' && n < width; ++folded) {
                dst[n++] = *folded;
            }
        }
        i += static_cast<std::size_t>(length);
    }
    return n;
}

}  // namespace detail

std::string cnab_text(std::string_view utf8)
{
    std::string out(utf8.size(), ' ');  // folding never lengthens: Æ and ß are two bytes too
    out.resize(detail::fold_text(utf8, out.data(), out.size()));
    return out;
}

}  // namespace billrun::cnab
