#include <billrun/io/csv.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

#include <billrun/core/text.hpp>

namespace billrun::io {

namespace {

// The fuzz build reads in tiny chunks, so that its inputs cross chunk boundaries (at least 4:
// a UTF-8 sequence must fit).
#ifndef BILLRUN_CSV_CHUNK_SIZE
#define BILLRUN_CSV_CHUNK_SIZE (std::size_t{1} << 20)
#endif
constexpr std::size_t k_chunk_size = BILLRUN_CSV_CHUNK_SIZE;  // bytes per in.read
static_assert(k_chunk_size >= 4);
constexpr std::size_t k_max_field_size = std::size_t{1} << 20;  // UTF-8 bytes per field

using ByteTable = std::array<bool, 256>;

// Bytes that stop a run of plain text. Everything else is copied as-is.
ByteTable make_table(std::string_view specials)
{
    ByteTable table{};
    for (std::size_t b = 0x80; b < 256; ++b) {
        table[b] = true;  // decoded or validated one sequence at a time
    }
    table[0] = true;
    for (const char c : specials) {
        table[static_cast<unsigned char>(c)] = true;
    }
    return table;
}

const ByteTable k_quoted_specials = make_table("\"\r\n");

// Counts ',', ';' and TAB outside quotes on the first logical line of `text` (a prefix of
// the file if the line is longer than the buffer); the most frequent wins, ties give ','.
char detect_delimiter(std::string_view text)
{
    constexpr std::string_view k_candidates = ",;\t";
    std::array<std::size_t, 3> counts{};
    bool at_field_start = true;
    bool in_quotes = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    ++i;
                } else {
                    in_quotes = false;
                }
            }
            continue;
        }
        if (c == '\n' || c == '\r') {
            break;
        }
        const auto candidate = k_candidates.find(c);
        if (candidate != std::string_view::npos) {
            ++counts[candidate];
            at_field_start = true;
            continue;
        }
        if (c == '"' && at_field_start) {
            in_quotes = true;
        }
        at_field_start = false;
    }
    const auto best = std::max_element(counts.begin(), counts.end());
    if (*best == 0 || std::count(counts.begin(), counts.end(), *best) > 1) {
        return ',';
    }
    return k_candidates[static_cast<std::size_t>(best - counts.begin())];
}

std::string hex_byte(unsigned char b)
{
    char text[8];
    std::snprintf(text, sizeof text, "0x%02X", static_cast<unsigned>(b));
    return text;
}

}  // namespace

struct CsvReader::Impl {
    enum class State { field_start, unquoted, quoted };

    std::istream& m_in;
    std::string m_name;
    std::unique_ptr<char[]> m_buf = std::make_unique_for_overwrite<char[]>(k_chunk_size);  // untouched until read
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
    bool m_eof = false;
    bool m_read_failed = false;
    bool m_started = false;
    std::optional<Error> m_error;  // sticky: every call after a failure repeats it

    Encoding m_encoding = Encoding::undecided;
    char m_delimiter = 0;  // 0 until the header line was seen
    ByteTable m_unquoted_specials{};
    std::int64_t m_line = 1;  // physical line of the next unread byte

    // The record being built.
    std::size_t m_field_count = 0;
    std::string* m_field = nullptr;
    std::int64_t m_field_line = 0;
    bool m_field_quoted = false;

    Impl(std::istream& in, std::string name) : m_in(in), m_name(std::move(name)) {}

    std::size_t available() const { return m_end - m_pos; }

    // Moves the unread bytes to the front and reads more. False when nothing new came.
    bool refill()
    {
        if (m_eof) {
            return false;
        }
        const std::size_t rest = available();
        if (m_pos > 0) {
            std::memmove(m_buf.get(), m_buf.get() + m_pos, rest);
            m_pos = 0;
            m_end = rest;
        }
        const std::size_t wanted = k_chunk_size - m_end;
        m_in.read(m_buf.get() + m_end, static_cast<std::streamsize>(wanted));
        const auto got = static_cast<std::size_t>(m_in.gcount());
        m_end += got;
        if (got < wanted) {
            m_eof = true;
            m_read_failed = m_in.bad();
        }
        return got > 0;
    }

    // True when at least `n` (small) unread bytes are buffered; false at end of input.
    bool ensure(std::size_t n)
    {
        while (available() < n) {
            if (!refill()) {
                return false;
            }
        }
        return true;
    }

    unsigned char peek(std::size_t offset = 0) const
    {
        return static_cast<unsigned char>(m_buf[m_pos + offset]);
    }

    // Consumes a line end (LF, CRLF or a lone CR) at m_pos.
    void skip_line_end()
    {
        const bool cr = peek() == '\r';
        ++m_pos;
        if (cr && ensure(1) && peek() == '\n') {
            ++m_pos;
        }
        ++m_line;
    }

    tl::unexpected<Error> fail_here(std::int64_t line, std::size_t column, const std::string& message)
    {
        m_error = Error{ErrorCode::data_invalid,
                        m_name + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message};
        return tl::unexpected<Error>(*m_error);
    }

    tl::unexpected<Error> fail_read()
    {
        m_error = Error{ErrorCode::no_input, m_name + ": cannot read the file"};
        return tl::unexpected<Error>(*m_error);
    }

    void start()
    {
        m_started = true;
        refill();
        if (ensure(3) && peek(0) == 0xEF && peek(1) == 0xBB && peek(2) == 0xBF) {
            m_pos += 3;
            m_encoding = Encoding::utf8_bom;
        }
    }

    void set_delimiter(char delimiter)
    {
        m_delimiter = delimiter;
        m_unquoted_specials = make_table(std::string{delimiter, '\r', '\n'});
    }

    void begin_field(CsvRecord& out)
    {
        // Reuses the caller's strings (and their capacity) from the previous record.
        if (m_field_count < out.fields.size()) {
            out.fields[m_field_count].clear();
        } else {
            out.fields.emplace_back();
        }
        if (m_field_count < out.field_lines.size()) {
            out.field_lines[m_field_count] = m_line;
        } else {
            out.field_lines.push_back(m_line);
        }
        m_field = &out.fields[m_field_count];
        m_field_line = m_line;
        m_field_quoted = false;
        ++m_field_count;
    }

    void finish_record(CsvRecord& out) const
    {
        out.fields.resize(m_field_count);
        out.field_lines.resize(m_field_count);
    }

    // Copies the run of plain bytes at m_pos into the field.
    Result<void> append_run(const ByteTable& specials)
    {
        const char* begin = m_buf.get() + m_pos;
        const char* end = m_buf.get() + m_end;
        const char* p = begin;
        while (p != end && !specials[static_cast<unsigned char>(*p)]) {
            ++p;
        }
        m_field->append(begin, p);
        m_pos += static_cast<std::size_t>(p - begin);
        if (m_field->size() > k_max_field_size) {
            return fail_here(m_field_line, m_field_count,
                             m_field_quoted ? "quoted field longer than 1 MiB (is a closing '\"' missing?)"
                                            : "field longer than 1 MiB");
        }
        return {};
    }

    // Handles a NUL or a non-ASCII byte at m_pos: decides the encoding at the first one,
    // then validates UTF-8 or decodes Windows-1252 into the field.
    Result<void> append_special_byte()
    {
        const unsigned char lead = peek();
        if (lead == 0) {
            return fail_here(m_line, m_field_count,
                             "binary data (a NUL byte): this is not a CSV text file; export the sheet as CSV");
        }
        ensure(4);  // a sequence may straddle two chunks
        const std::string_view rest(m_buf.get() + m_pos, std::min<std::size_t>(4, available()));
        const int length = utf8_sequence_length(rest);
        if (m_encoding == Encoding::undecided) {
            m_encoding = length > 0 ? Encoding::utf8 : Encoding::cp1252;
        }
        if (m_encoding == Encoding::cp1252) {
            if (!append_cp1252_as_utf8(rest.substr(0, 1), *m_field)) {
                return fail_here(m_line, m_field_count,
                                 "byte " + hex_byte(lead) +
                                     " is not a Windows-1252 character (save the file as UTF-8)");
            }
            ++m_pos;
            return {};
        }
        if (length == 0) {
            return fail_here(m_line, m_field_count,
                             "invalid UTF-8 byte " + hex_byte(lead) +
                                 " (the file mixes encodings; save it as UTF-8 or Windows-1252)");
        }
        m_field->append(rest.substr(0, static_cast<std::size_t>(length)));
        m_pos += static_cast<std::size_t>(length);
        return {};
    }

    // Skips blank lines; false at end of input.
    bool skip_blank_lines()
    {
        while (ensure(1)) {
            const unsigned char c = peek();
            if (c != '\n' && c != '\r') {
                return true;
            }
            skip_line_end();
        }
        return false;
    }

    Result<bool> next(CsvRecord& out)
    {
        if (m_error) {
            return tl::unexpected<Error>(*m_error);
        }
        if (!m_started) {
            start();
        }
        if (!skip_blank_lines()) {
            if (m_read_failed) {
                return fail_read();
            }
            return false;
        }
        if (m_delimiter == 0) {
            refill();  // the header line as whole as the buffer allows
            set_delimiter(detect_delimiter(std::string_view(m_buf.get() + m_pos, available())));
        }
        out.line = m_line;
        m_field_count = 0;
        begin_field(out);
        State state = State::field_start;
        for (;;) {
            if (m_pos == m_end && !refill()) {
                if (m_read_failed) {
                    return fail_read();
                }
                if (state == State::quoted) {
                    return fail_here(m_field_line, m_field_count,
                                     "quoted field starting on line " + std::to_string(m_field_line) +
                                         " is never closed (a '\"' is missing)");
                }
                finish_record(out);
                return true;
            }
            if (state == State::field_start) {
                if (peek() == '"') {
                    ++m_pos;
                    m_field_quoted = true;
                    state = State::quoted;
                    continue;
                }
                state = State::unquoted;
            }
            if (state == State::unquoted) {
                // Also the text after a closing quote: kept literally, as a quote inside
                // an unquoted field is.
                if (auto run = append_run(m_unquoted_specials); !run) {
                    return tl::unexpected<Error>(run.error());
                }
                if (m_pos == m_end) {
                    continue;
                }
                const unsigned char c = peek();
                if (c == static_cast<unsigned char>(m_delimiter)) {
                    ++m_pos;
                    begin_field(out);
                    state = State::field_start;
                } else if (c == '\n' || c == '\r') {
                    skip_line_end();
                    finish_record(out);
                    return true;
                } else if (auto appended = append_special_byte(); !appended) {
                    return tl::unexpected<Error>(appended.error());
                }
                continue;
            }
            // State::quoted
            if (auto run = append_run(k_quoted_specials); !run) {
                return tl::unexpected<Error>(run.error());
            }
            if (m_pos == m_end) {
                continue;
            }
            const unsigned char c = peek();
            if (c == '"') {
                if (ensure(2) && peek(1) == '"') {
                    m_field->push_back('"');
                    m_pos += 2;
                } else {
                    ++m_pos;
                    state = State::unquoted;
                }
            } else if (c == '\n') {
                m_field->push_back('\n');
                skip_line_end();
            } else if (c == '\r') {
                const bool crlf = ensure(2) && peek(1) == '\n';
                m_field->push_back(crlf ? '\n' : '\r');
                skip_line_end();
            } else if (auto appended = append_special_byte(); !appended) {
                return tl::unexpected<Error>(appended.error());
            }
        }
    }
};

CsvReader::CsvReader(std::istream& in, std::string name) : m_impl(std::make_unique<Impl>(in, std::move(name))) {}

CsvReader::~CsvReader() = default;

// Errors are "file:line:column: message": line is the physical line (1-based) and column
// is the 1-based field number (the spreadsheet column), not a character offset.
Result<bool> CsvReader::next(CsvRecord& out) { return m_impl->next(out); }

char CsvReader::delimiter() const { return m_impl->m_delimiter == 0 ? ',' : m_impl->m_delimiter; }

Encoding CsvReader::encoding() const { return m_impl->m_encoding; }

const std::string& CsvReader::name() const { return m_impl->m_name; }

}  // namespace billrun::io
