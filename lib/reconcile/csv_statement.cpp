// CSV bank statements through io::CsvReader, with the column map of reconcile.csv.
#include <billrun/reconcile/statement.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <billrun/core/tax_id.hpp>
#include <billrun/core/text.hpp>
#include <billrun/io/csv.hpp>

#include <fmt/format.h>

#include "statement_util.hpp"

namespace billrun::reconcile {

namespace {

// A date format of %d, %m, %Y, %y and literal characters ("%d/%m/%Y", "%Y-%m-%d").
class DateFormat {
public:
    static Result<DateFormat> compile(std::string_view format)
    {
        DateFormat out;
        int day = 0;
        int month = 0;
        int year = 0;
        for (std::size_t i = 0; i < format.size(); ++i) {
            if (format[i] != '%') {
                out.m_parts.push_back(Part{Part::text, format[i]});
                continue;
            }
            const char spec = i + 1 < format.size() ? format[++i] : '\0';
            switch (spec) {
            case 'd': out.m_parts.push_back(Part{Part::day, 0}); ++day; break;
            case 'm': out.m_parts.push_back(Part{Part::month, 0}); ++month; break;
            case 'Y': out.m_parts.push_back(Part{Part::year4, 0}); ++year; break;
            case 'y': out.m_parts.push_back(Part{Part::year2, 0}); ++year; break;
            case '%': out.m_parts.push_back(Part{Part::text, '%'}); break;
            default:
                return fail(ErrorCode::config,
                            fmt::format("reconcile.csv.date_format '{}': unsupported '%{}' (use %d, %m, %Y or %y, "
                                        "like \"%d/%m/%Y\")",
                                        format, spec == '\0' ? std::string_view{} : std::string_view(&spec, 1)));
            }
        }
        if (day != 1 || month != 1 || year != 1) {
            return fail(ErrorCode::config,
                        fmt::format("reconcile.csv.date_format '{}' needs %d, %m and %Y once each", format));
        }
        return out;
    }

    // A time after the date (" 10:00", "T10:00:00") is ignored.
    std::optional<Date> parse(std::string_view text) const
    {
        int day = 0;
        int month = 0;
        int year = 0;
        std::size_t at = 0;
        auto number = [&](std::size_t min, std::size_t max) -> std::optional<int> {
            int n = 0;
            std::size_t len = 0;
            while (len < max && at < text.size() && detail::is_digit(text[at])) {
                n = n * 10 + (text[at++] - '0');
                ++len;
            }
            return len >= min ? std::optional<int>(n) : std::nullopt;
        };
        for (const Part& part : m_parts) {
            std::optional<int> n;
            switch (part.kind) {
            case Part::text:
                if (at >= text.size() || text[at] != part.literal) {
                    return std::nullopt;
                }
                ++at;
                continue;
            case Part::day: n = number(1, 2); day = n.value_or(0); break;
            case Part::month: n = number(1, 2); month = n.value_or(0); break;
            case Part::year4: n = number(4, 4); year = n.value_or(0); break;
            case Part::year2: n = number(2, 2); year = 2000 + n.value_or(0); break;
            }
            if (!n) {
                return std::nullopt;
            }
        }
        if (at < text.size() && text[at] != ' ' && text[at] != 'T') {
            return std::nullopt;
        }
        return Date::from_ymd(year, month, day);
    }

private:
    struct Part {
        enum Kind { text, day, month, year4, year2 } kind;
        char literal;
    };
    std::vector<Part> m_parts;
};

class CsvStatementReader final : public StatementReader {
public:
    CsvStatementReader(std::istream& in, std::string name, const config::CsvStatementMap& map, DateFormat format)
        : m_name(std::move(name)), m_map(map), m_format(std::move(format)), m_reader(in, m_name)
    {
        m_decimal = map.decimal == "." ? '.' : ',';
        m_group = m_decimal == ',' ? '.' : ',';
    }

    Result<void> read_header()
    {
        auto got = m_reader.next(m_row);
        if (!got) {
            return tl::unexpected(got.error());
        }
        if (!*got) {
            return fail(ErrorCode::data_invalid, fmt::format("{}:1:1: empty file (no header line)", m_name));
        }
        const std::pair<const std::string*, std::optional<std::size_t>*> columns[] = {
            {&m_map.date, &m_date},
            {&m_map.amount, &m_amount},
            {&m_map.description, &m_description},
            {&m_map.tax_id, &m_tax_id},
        };
        for (std::size_t i = 0; i < m_row.fields.size(); ++i) {
            const std::string key = fold_key(trim(m_row.fields[i]));
            for (const auto& [wanted, index] : columns) {
                if (!key.empty() && !index->has_value() && key == fold_key(*wanted)) {
                    *index = i;
                }
            }
        }
        std::vector<std::string_view> missing;
        if (!m_date) {
            missing.emplace_back(m_map.date);
        }
        if (!m_amount) {
            missing.emplace_back(m_map.amount);
        }
        if (!missing.empty()) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{}:{}:1: missing required column(s) {} (the header needs the columns "
                                    "named by reconcile.csv in billrun.yaml)",
                                    m_name, m_row.line, fmt::join(missing, ", ")));
        }
        return {};
    }

    Result<bool> next(StatementLine& out) override
    {
        for (;;) {
            auto got = m_reader.next(m_row);
            if (!got || !*got) {
                return got;
            }
            if (!is_empty_row()) {
                break;
            }
        }
        const std::string_view date_text = cell(m_date);
        const auto date = m_format.parse(date_text);
        if (!date) {
            return fail_at(*m_date, fmt::format("'{}' is not a date in the format {}", date_text, m_map.date_format));
        }
        const std::string_view amount_text = cell(m_amount);
        auto amount = detail::parse_statement_amount(amount_text, m_decimal, m_group);
        if (!amount) {
            amount = parse_money(amount_text);  // unambiguous under either separator ("12.50" with ',')
        }
        if (!amount) {
            return fail_at(*m_amount, fmt::format("'{}' is not an amount (decimal separator '{}')", amount_text,
                                                  m_decimal));
        }
        out = StatementLine{};
        out.line = m_row.line;
        out.date = *date;
        out.amount = *amount;
        out.description = std::string(cell(m_description));
        if (auto id = parse_tax_id(cell(m_tax_id))) {
            out.tax_id = id->value;
        } else {
            out.tax_id = detail::find_tax_id(out.description);
        }
        return true;
    }

private:
    std::string_view cell(const std::optional<std::size_t>& column) const
    {
        if (!column || *column >= m_row.fields.size()) {
            return {};
        }
        return trim(m_row.fields[*column]);
    }

    bool is_empty_row() const
    {
        for (const auto& field : m_row.fields) {
            if (!trim(field).empty()) {
                return false;
            }
        }
        return true;
    }

    tl::unexpected<Error> fail_at(std::size_t column, std::string_view message) const
    {
        const std::int64_t line = column < m_row.field_lines.size() ? m_row.field_lines[column] : m_row.line;
        return fail(ErrorCode::data_invalid, fmt::format("{}:{}:{}: {}", m_name, line, column + 1, message));
    }

    std::string m_name;
    config::CsvStatementMap m_map;
    DateFormat m_format;
    io::CsvReader m_reader;
    io::CsvRecord m_row;
    char m_decimal = ',';
    char m_group = '.';
    std::optional<std::size_t> m_date, m_amount, m_description, m_tax_id;
};

}  // namespace

Result<std::unique_ptr<StatementReader>> open_csv_statement(std::istream& in, std::string name,
                                                            const config::CsvStatementMap& map)
{
    auto format = DateFormat::compile(map.date_format);
    if (!format) {
        return tl::unexpected(format.error());
    }
    auto reader = std::make_unique<CsvStatementReader>(in, std::move(name), map, std::move(*format));
    if (auto header = reader->read_header(); !header) {
        return tl::unexpected(header.error());
    }
    return std::unique_ptr<StatementReader>(std::move(reader));
}

}  // namespace billrun::reconcile
