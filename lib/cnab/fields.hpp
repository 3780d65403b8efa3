#pragma once
// Fixed-width writing for CNAB records (private to lib/cnab). Positions are 1-based and
// inclusive, as the banks' manuals print them, so a line of code reads like a line of the
// manual: r.num(86, 15, amount) is "086-100 valor do título 9(13)V99".
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include <billrun/core/date.hpp>

namespace billrun::cnab::detail {

// The last dates written, as DDMMAAAA: a run's titles share a handful of issue and due
// dates, and turning a day count into a date is the dearest part of a record.
class DateCache {
public:
    const char* ddmmaaaa(Date date);

private:
    struct Entry {
        std::int32_t days = std::numeric_limits<std::int32_t>::min();
        char text[8] = {};
    };
    std::array<Entry, 8> m_entries{};
};

class Record {
public:
    Record(char* data, int width, DateCache* dates) : m_data(data), m_width(width), m_dates(dates) {}

    // Right-aligned, zero-filled; keeps the last len digits when the value is wider and
    // writes zeros for a negative value.
    void num(int pos, int len, std::int64_t value);
    // Characters as given, right-aligned and zero-filled (keeps the last len characters).
    // For numbers that arrive as text: agency, account, nosso número.
    void digits(int pos, int len, std::string_view chars);
    // The digits found in text, right-aligned and zero-filled: a CEP typed "01310-100".
    void digits_in(int pos, int len, std::string_view text);
    // A CPF/CNPJ: its letters (upper case) and digits, right-aligned and zero-filled, so the
    // alphanumeric CNPJ "12.ABC.345/01DE-35" keeps its letters.
    void tax_id(int pos, int len, std::string_view text);
    // Free text through cnab_text: upper case, no accents, left-aligned, space-filled, cut
    // at len.
    void text(int pos, int len, std::string_view utf8);
    // A literal, as is (codes, fixed words, DVs that may be letters).
    void lit(int pos, std::string_view chars)
    {
        std::memcpy(at(pos, static_cast<int>(chars.size())), chars.data(), chars.size());
    }
    void fill(int pos, int len, char c) { std::memset(at(pos, len), c, static_cast<std::size_t>(len)); }
    void zeros(int pos, int len) { fill(pos, len, '0'); }
    void blanks(int pos, int len) { fill(pos, len, ' '); }
    void date8(int pos, Date date);  // DDMMAAAA
    void date6(int pos, Date date);  // DDMMAA

private:
    char* at(int pos, [[maybe_unused]] int len) const
    {
        assert(pos >= 1 && len >= 0 && pos + len - 1 <= m_width);
        return m_data + (pos - 1);
    }
    char* m_data;
    [[maybe_unused]] int m_width;  // for the bounds assertion
    DateCache* m_dates;
};

// Appends one record of `width` spaces and CRLF to out and returns it for writing. The
// record stays valid until out grows again.
Record append_record(std::string& out, int width, DateCache& dates);

// A tax id as CNAB wants it: letters (upper case) and digits only, so "12.ABC.345/01DE-35"
// becomes "12ABC34501DE35".
std::string clean_tax_id(std::string_view tax_id);
// FEBRABAN kind of inscription by the count of letters and digits: '1' CPF (11), '2' CNPJ
// (14), '0' anything else.
char tax_id_kind(std::string_view tax_id);
// Right-aligned in width, zero-filled (keeps the last width characters).
std::string zero_pad(std::string_view text, std::size_t width);
bool all_digits(std::string_view text);

// Writes the CNAB form of utf8 into dst, at most width characters; returns how many.
std::size_t fold_text(std::string_view utf8, char* dst, std::size_t width);

}  // namespace billrun::cnab::detail
