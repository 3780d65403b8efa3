#include <billrun/core/text.hpp>
#include <billrun/io/csv.hpp>

#include <fmt/format.h>

#include "source.hpp"

namespace billrun::import {

namespace {

class CsvSource final : public Source {
public:
    CsvSource(Kind kind, io::Input& input) : m_kind(kind), m_name(input.name), m_reader(*input.stream, input.name) {}

    Result<void> read_header(std::vector<Problem>& warnings)
    {
        auto got = m_reader.next(m_row);
        if (!got) {
            return tl::unexpected(got.error());
        }
        if (!*got) {
            return fail(ErrorCode::data_invalid, fmt::format("{}: empty file (no header line)", m_name));
        }
        m_header_line = m_row.line;
        m_columns.assign(m_row.fields.size(), std::nullopt);
        std::array<bool, k_field_count> seen{};
        for (std::size_t i = 0; i < m_row.fields.size(); ++i) {
            auto name = trim(m_row.fields[i]);
            if (name.empty()) {
                continue;
            }
            auto field = match_field(m_kind, name);
            if (!field) {
                warnings.push_back(Problem{m_name, m_row.line, static_cast<int>(i + 1),
                                           fmt::format("ignoring column '{}' (not a field of {})", name,
                                                       kind_name(m_kind))});
                continue;
            }
            m_columns[i] = *field;
            seen[static_cast<std::size_t>(*field)] = true;
        }
        std::vector<std::string> missing;
        for (Field f : required_fields(m_kind)) {
            if (!seen[static_cast<std::size_t>(f)]) {
                missing.emplace_back(field_name(f));
            }
        }
        if (m_kind == Kind::contracts && !seen[static_cast<std::size_t>(Field::service)]) {
            missing.emplace_back("service");
        }
        if (!missing.empty()) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{}:{}:1: missing required column(s): {} (the header names the "
                                    "columns; see 'man billrun-import' for the accepted names)",
                                    m_name, m_header_line, fmt::join(missing, ", ")));
        }
        return {};
    }

    Result<bool> next(RawRecord& out, std::vector<Problem>&) override
    {
        auto got = m_reader.next(m_row);
        if (!got || !*got) {
            return got;
        }
        out.clear();
        out.line = m_row.line;
        for (std::size_t i = 0; i < m_row.fields.size() && i < m_columns.size(); ++i) {
            if (!m_columns[i]) {
                continue;
            }
            RawField& f = out[*m_columns[i]];
            auto value = trim(m_row.fields[i]);
            // Two columns for one field (a CPF and a CNPJ column): the first non-empty wins.
            if (f.present && !f.value.empty()) {
                continue;
            }
            f.value.assign(value);
            f.present = true;
            f.line = m_row.field_lines.size() > i ? m_row.field_lines[i] : m_row.line;
            f.column = static_cast<int>(i + 1);
        }
        return true;
    }

private:
    Kind m_kind;
    std::string m_name;
    io::CsvReader m_reader;
    io::CsvRecord m_row;
    std::int64_t m_header_line = 1;
    std::vector<std::optional<Field>> m_columns;
};

}  // namespace

Result<std::unique_ptr<Source>> open_csv_source(Kind kind, io::Input& input, std::vector<Problem>& warnings)
{
    auto source = std::make_unique<CsvSource>(kind, input);
    if (auto header = source->read_header(warnings); !header) {
        return tl::unexpected(header.error());
    }
    return std::unique_ptr<Source>(std::move(source));
}

}  // namespace billrun::import
