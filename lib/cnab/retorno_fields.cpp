#include "retorno_fields.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include <fmt/format.h>

namespace billrun::cnab::detail {

namespace {

constexpr std::size_t k_buffer = 256 * 1024;  // far above k_max_line: a line always fits
constexpr std::string_view k_bom = "\xEF\xBB\xBF";

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int two_digits(const char* p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

// CNAB dates are this side of the 1980s and of 2100: outside, the field holds something
// else (a shifted header, say), whatever the calendar allows.
constexpr int k_first_year = 1980;
constexpr int k_last_year = 2099;

// DDMMAAAA or DDMMAA (century 20), all digits already checked.
std::optional<Date> ddmm(std::string_view digits)
{
    const int year = digits.size() == 8 ? two_digits(digits.data() + 4) * 100 + two_digits(digits.data() + 6)
                                        : 2000 + two_digits(digits.data() + 4);
    if (year < k_first_year || year > k_last_year) {
        return std::nullopt;
    }
    return Date::from_ymd(year, two_digits(digits.data() + 2), two_digits(digits.data()));
}

}  // namespace

LineReader::LineReader(std::istream& in) : m_in(&in), m_buffer(std::make_unique<char[]>(k_buffer)) {}

bool LineReader::fill()
{
    const std::size_t kept = m_end - m_begin;
    if (m_begin > 0) {
        std::memmove(m_buffer.get(), m_buffer.get() + m_begin, kept);
        m_begin = 0;
        m_end = kept;
    }
    m_in->read(m_buffer.get() + m_end, static_cast<std::streamsize>(k_buffer - m_end));
    m_end += static_cast<std::size_t>(m_in->gcount());
    if (!*m_in) {
        if (m_in->bad()) {
            return false;
        }
        m_eof = true;
    }
    return true;
}

LineReader::Status LineReader::next(std::string_view& line)
{
    for (;;) {
        const char* start = m_buffer.get() + m_begin;
        const std::size_t available = m_end - m_begin;
        // A line of k_max_line characters, a CR and the LF: no need to look further.
        const std::size_t window = std::min(available, k_max_line + 2);
        const auto* lf = static_cast<const char*>(std::memchr(start, '\n', window));
        std::size_t length = 0;
        if (lf != nullptr) {
            length = static_cast<std::size_t>(lf - start);
            m_begin += length + 1;
        } else if (available > k_max_line + 1) {
            ++m_line;
            return Status::too_long;
        } else if (m_eof) {
            if (available == 0) {
                return Status::end;
            }
            length = available;  // the last line, without EOL
            m_begin = m_end;
        } else {
            if (!fill()) {
                ++m_line;
                return Status::failed;
            }
            continue;
        }
        ++m_line;
        line = std::string_view(start, length);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (m_line == 1 && line.starts_with(k_bom)) {
            line.remove_prefix(k_bom.size());
        }
        return line.size() > k_max_line ? Status::too_long : Status::line;
    }
}

bool is_blank(std::string_view line)
{
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

void FixedRecord::assign(std::string_view line)
{
    const auto width = static_cast<std::size_t>(m_width);
    const std::size_t n = std::min(line.size(), width);
    std::memcpy(m_data.data(), line.data(), n);
    std::memset(m_data.data() + n, ' ', width - n);
}

void FieldParser::fail(Span s, const char* what, const char* problem)
{
    if (m_error.empty()) {
        m_error = fmt::format("{} '{}' (positions {}-{}) {}", what, m_record->at(s), s.first, s.last, problem);
    }
}

Centavos FieldParser::amount(Span s, const char* what)
{
    const std::string_view f = m_record->at(s);
    std::size_t i = 0;
    std::size_t n = f.size();
    while (i < n && f[i] == ' ') {
        ++i;
    }
    while (n > i && f[n - 1] == ' ') {
        --n;
    }
    Centavos value = 0;
    for (; i < n; ++i) {
        if (!is_digit(f[i])) {
            fail(s, what, "is not a number");
            return 0;
        }
        value = value * 10 + (f[i] - '0');
    }
    return value;
}

std::optional<Date> FieldParser::date(Span s, const char* what)
{
    const std::string_view f = m_record->at(s);
    assert(f.size() == 6 || f.size() == 8);
    if (f.find_first_not_of(" 0") == std::string_view::npos) {
        return std::nullopt;  // blank or zeros: no date
    }
    for (const char c : f) {
        if (!is_digit(c)) {
            fail(s, what, "is not a date (DDMMAAAA or DDMMAA)");
            return std::nullopt;
        }
    }
    std::optional<Date> d = ddmm(f);
    if (!d) {
        fail(s, what, "is not a valid date");
    }
    return d;
}

std::string_view FieldParser::text(Span s) const
{
    std::string_view f = m_record->at(s);
    const std::size_t first = f.find_first_not_of(' ');
    if (first == std::string_view::npos) {
        return {};
    }
    f.remove_prefix(first);
    f.remove_suffix(f.size() - 1 - f.find_last_not_of(' '));
    return f;
}

std::optional<Date> header_date(std::string_view digits)
{
    if ((digits.size() != 6 && digits.size() != 8) || !std::all_of(digits.begin(), digits.end(), is_digit)) {
        return std::nullopt;
    }
    return ddmm(digits);
}

std::int64_t header_number(std::string_view digits)
{
    std::int64_t value = 0;
    for (const char c : digits) {
        if (!is_digit(c)) {
            return 0;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

void split_reasons(std::string_view field, int width, std::vector<std::string>& out)
{
    const auto w = static_cast<std::size_t>(width);
    for (std::size_t i = 0; i + w <= field.size(); i += w) {
        std::string_view code = field.substr(i, w);
        const std::size_t first = code.find_first_not_of(' ');
        if (first == std::string_view::npos || code.find_first_not_of("0 ") == std::string_view::npos) {
            continue;  // blank or zeros: no reason
        }
        code.remove_prefix(first);
        code.remove_suffix(code.size() - 1 - code.find_last_not_of(' '));
        out.emplace_back(code);
    }
}

namespace {

bool listed(std::string_view list, std::string_view code)
{
    while (!list.empty()) {
        const std::size_t space = list.find(' ');
        if (list.substr(0, space) == code) {
            return true;
        }
        if (space == std::string_view::npos) {
            break;
        }
        list.remove_prefix(space + 1);
    }
    return false;
}

}  // namespace

Occurrence classify(const OccurrenceCodes& codes, std::string_view code)
{
    if (listed(codes.paid, code)) {
        return Occurrence::paid;
    }
    if (listed(codes.entry_confirmed, code)) {
        return Occurrence::entry_confirmed;
    }
    if (listed(codes.rejected, code)) {
        return Occurrence::rejected;
    }
    if (listed(codes.written_off, code)) {
        return Occurrence::written_off;
    }
    return Occurrence::other;
}

Error data_error(const std::string& name, std::int64_t line, std::string_view message)
{
    return Error{ErrorCode::data_invalid, fmt::format("{}:{}: {}", name, line, message)};
}

Error line_error(const std::string& name, std::int64_t line, LineReader::Status status)
{
    if (status == LineReader::Status::failed) {
        return Error{ErrorCode::no_input, fmt::format("{}:{}: read error", name, line)};
    }
    return data_error(name, line,
                      fmt::format("line longer than {} characters: not a CNAB file (CNAB lines have 240 or 400)",
                                  k_max_line));
}

}  // namespace billrun::cnab::detail
