// Reports' rows as YAML, JSON, CSV or an aligned table (see tabular.hpp).
#include <billrun/io/tabular.hpp>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

namespace billrun::io {

Cell Cell::money(Centavos value)
{
    Cell c;
    c.m_kind = Kind::money;
    c.m_number = value;
    return c;
}

Cell Cell::integer(std::int64_t value)
{
    Cell c;
    c.m_kind = Kind::integer;
    c.m_number = value;
    return c;
}

std::string Cell::data_text() const
{
    switch (m_kind) {
    case Kind::null: return {};
    case Kind::text: return m_text;
    case Kind::money: return format_money(m_number);
    case Kind::integer: return std::to_string(m_number);
    }
    return {};
}

std::string Cell::table_text() const
{
    if (m_kind == Kind::money) {
        return format_money_br(m_number);
    }
    std::string text = data_text();
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\r', ' ');
    std::replace(text.begin(), text.end(), '\t', ' ');
    return text;
}

bool is_plain_number(std::string_view text)
{
    std::size_t i = 0;
    if (i < text.size() && text[i] == '-') {
        ++i;
    }
    const std::size_t first_digit = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        ++i;
    }
    if (i == first_digit) {
        return false;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        const std::size_t first_decimal = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            ++i;
        }
        if (i == first_decimal) {
            return false;
        }
    }
    return i == text.size();
}

std::string csv_cell(std::string_view text)
{
    std::string cell;
    if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos &&
        !is_plain_number(text)) {
        cell += '\'';
    }
    cell += text;
    if (cell.find_first_of(",\"\r\n") == std::string::npos) {
        return cell;
    }
    std::string quoted = "\"";
    for (char c : cell) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    quoted += '"';
    return quoted;
}

std::size_t display_width(std::string_view text)
{
    std::size_t width = 0;
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++width;
        }
    }
    return width;
}

std::string fit_text(std::string_view text, std::size_t width)
{
    if (display_width(text) <= width) {
        return std::string(text);
    }
    if (width == 0) {
        return {};
    }
    // Keep width - 1 code points, then the ellipsis.
    std::size_t kept = 0;
    std::size_t end = 0;
    for (; end < text.size(); ++end) {
        if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80) {
            if (kept == width - 1) {
                break;
            }
            ++kept;
        }
    }
    return std::string(text.substr(0, end)) + "\u2026";
}

namespace {

Map document_head(const TabularSpec& spec)
{
    Map head{{"kind", spec.kind}, {"version", 1}};
    head.insert(head.end(), spec.header.begin(), spec.header.end());
    return head;
}

class CsvWriter final : public TabularWriter {
public:
    CsvWriter(std::ostream& out, TabularSpec spec) : m_out(out), m_spec(std::move(spec))
    {
        std::string line;
        for (std::size_t i = 0; i < m_spec.columns.size(); ++i) {
            line += i == 0 ? "" : ",";
            line += csv_cell(m_spec.columns[i].key);
        }
        m_out << line << '\n';
    }

    void row(const Row& cells, bool) override
    {
        std::string line;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            line += i == 0 ? "" : ",";
            line += csv_cell(cells[i].data_text());
        }
        line += '\n';
        m_out << line;
    }

    void finish(const Map&, const Row&) override {}

private:
    std::ostream& m_out;
    TabularSpec m_spec;
};

class YamlWriter final : public TabularWriter {
public:
    YamlWriter(std::ostream& out, TabularSpec spec) : m_out(out), m_spec(std::move(spec))
    {
        write_yaml_document(m_out, document_head(m_spec));
    }

    void row(const Row& cells, bool) override
    {
        std::string text = m_rows == 0 ? "rows:\n" : "";
        ++m_rows;
        for (std::size_t i = 0; i < cells.size() && i < m_spec.columns.size(); ++i) {
            text += i == 0 ? "  - " : "    ";
            append_yaml_scalar(text, m_spec.columns[i].key);
            text += ": ";
            const Cell& cell = cells[i];
            if (cell.kind() == Cell::Kind::null) {
                text += "null";
            } else if (cell.kind() == Cell::Kind::integer) {
                text += cell.data_text();
            } else {
                append_yaml_scalar(text, cell.data_text());
            }
            text += '\n';
        }
        m_out << text;
    }

    void finish(const Map& trailer, const Row&) override
    {
        if (m_rows == 0) {
            m_out << "rows: []\n";
        }
        if (!trailer.empty()) {
            std::ostringstream tail;
            write_yaml_document(tail, trailer);
            m_out << tail.str().substr(4);  // without its "---\n"
        }
    }

private:
    std::ostream& m_out;
    TabularSpec m_spec;
    std::int64_t m_rows = 0;
};

class JsonWriter final : public TabularWriter {
public:
    JsonWriter(std::ostream& out, TabularSpec spec) : m_out(out), m_spec(std::move(spec))
    {
        std::ostringstream head;
        write_json_line(head, document_head(m_spec));
        std::string text = head.str();
        text.resize(text.size() - 2);  // without "}\n"
        m_out << text << ",\"rows\":[";
    }

    void row(const Row& cells, bool) override
    {
        std::string text = m_rows == 0 ? "{" : ",{";
        ++m_rows;
        for (std::size_t i = 0; i < cells.size() && i < m_spec.columns.size(); ++i) {
            text += i == 0 ? "" : ",";
            text += json_string(m_spec.columns[i].key);
            text += ':';
            const Cell& cell = cells[i];
            if (cell.kind() == Cell::Kind::null) {
                text += "null";
            } else if (cell.kind() == Cell::Kind::integer) {
                text += cell.data_text();
            } else {
                text += json_string(cell.data_text());
            }
        }
        text += '}';
        m_out << text;
    }

    void finish(const Map& trailer, const Row&) override
    {
        m_out << ']';
        if (!trailer.empty()) {
            std::ostringstream tail;
            write_json_line(tail, trailer);
            std::string text = tail.str();
            m_out << ',' << text.substr(1, text.size() - 3);  // the members, without "{" and "}\n"
        }
        m_out << "}\n";
    }

private:
    std::ostream& m_out;
    TabularSpec m_spec;
    std::int64_t m_rows = 0;
};

// The aligned table: the header keys as "key  value" lines, a blank line, the column titles
// and a rule, the rows (numbers right-aligned), then the footer and the trailer.
class TableWriter final : public TabularWriter {
public:
    TableWriter(std::ostream& out, TabularSpec spec) : m_out(out), m_spec(std::move(spec))
    {
        for (std::size_t i = 0; i < m_spec.columns.size(); ++i) {
            if (m_spec.columns[i].in_table) {
                m_shown.push_back(i);
            }
        }
        m_widths.assign(m_shown.size(), 0);
        m_right.assign(m_shown.size(), false);
    }

    void row(const Row& cells, bool total) override
    {
        if (!m_fixed) {
            m_sample.emplace_back(cells, total);
            if (m_sample.size() >= m_spec.sample_rows) {
                fix_widths(true);
            }
            return;
        }
        write_row(cells, total);
    }

    void finish(const Map& trailer, const Row& footer) override
    {
        if (!m_fixed) {
            if (!footer.empty()) {
                m_sample.emplace_back(footer, true);
            }
            fix_widths(false);
            if (!footer.empty()) {
                m_wrote_footer = true;
            }
        }
        if (!footer.empty() && !m_wrote_footer) {
            write_row(footer, true);
        }
        if (!trailer.empty()) {
            m_out << '\n';
            write_table(m_out, trailer);
        }
    }

private:
    void fix_widths(bool more_to_come)
    {
        for (std::size_t s = 0; s < m_shown.size(); ++s) {
            const std::size_t c = m_shown[s];
            m_widths[s] = display_width(m_spec.columns[c].key);
            bool kind_seen = false;
            for (const auto& [cells, total] : m_sample) {
                if (c >= cells.size()) {
                    continue;
                }
                m_widths[s] = std::max(m_widths[s], display_width(cells[c].table_text()));
                if (!kind_seen && cells[c].kind() != Cell::Kind::null) {
                    kind_seen = true;
                    m_right[s] = cells[c].kind() != Cell::Kind::text;
                }
            }
            if (more_to_come && m_right[s]) {
                m_widths[s] += 3;  // room for the larger figures of the rows not seen yet
            }
        }
        std::size_t total = 0;
        for (std::size_t w : m_widths) {
            total += w;
        }
        total += m_shown.empty() ? 0 : 2 * (m_shown.size() - 1);
        for (std::size_t s = 0; s < m_shown.size() && total > m_spec.table_width; ++s) {
            const Column& col = m_spec.columns[m_shown[s]];
            if (!col.elastic || m_widths[s] <= col.min_width) {
                continue;
            }
            const std::size_t cut = std::min(total - m_spec.table_width, m_widths[s] - col.min_width);
            m_widths[s] -= cut;
            total -= cut;
        }
        m_fixed = true;
        write_head();
        for (const auto& [cells, is_total] : m_sample) {
            write_row(cells, is_total);
        }
        m_sample.clear();
        m_sample.shrink_to_fit();
    }

    void write_head()
    {
        Map head{{"report", m_spec.kind.starts_with("report-") ? m_spec.kind.substr(7) : m_spec.kind}};
        head.insert(head.end(), m_spec.header.begin(), m_spec.header.end());
        write_table(m_out, head);
        m_out << '\n';
        std::string line;
        for (std::size_t s = 0; s < m_shown.size(); ++s) {
            append_cell(line, s, m_spec.columns[m_shown[s]].key, m_right[s]);
        }
        finish_line(line);
        m_out << line;
        m_out << rule();
    }

    std::string rule() const
    {
        std::string line;
        for (std::size_t s = 0; s < m_shown.size(); ++s) {
            line += s == 0 ? "" : "  ";
            line.append(m_widths[s], '-');
        }
        return line + '\n';
    }

    void append_cell(std::string& line, std::size_t s, std::string_view text, bool right) const
    {
        line += s == 0 ? "" : "  ";
        // Only elastic columns are cut; a longer id pushes the rest of its line.
        std::string shown = m_spec.columns[m_shown[s]].elastic ? fit_text(text, m_widths[s]) : std::string(text);
        const std::size_t pad = m_widths[s] - std::min(m_widths[s], display_width(shown));
        if (right) {
            line.append(pad, ' ');
            line += shown;
        } else {
            line += shown;
            line.append(pad, ' ');
        }
    }

    static void finish_line(std::string& line)
    {
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        line += '\n';
    }

    void write_row(const Row& cells, bool total)
    {
        std::string line = total ? rule() : std::string();
        for (std::size_t s = 0; s < m_shown.size(); ++s) {
            const std::size_t c = m_shown[s];
            if (c >= cells.size()) {
                append_cell(line, s, "", false);
                continue;
            }
            const Cell& cell = cells[c];
            const bool right = cell.kind() == Cell::Kind::money || cell.kind() == Cell::Kind::integer;
            if (right) {
                // Numbers are never cut: a wider one pushes the rest of its line.
                line += s == 0 ? "" : "  ";
                std::string text = cell.table_text();
                line.append(m_widths[s] - std::min(m_widths[s], display_width(text)), ' ');
                line += text;
            } else {
                append_cell(line, s, cell.table_text(), false);
            }
        }
        finish_line(line);
        m_out << line;
    }

    std::ostream& m_out;
    TabularSpec m_spec;
    std::vector<std::size_t> m_shown;
    std::vector<std::size_t> m_widths;
    std::vector<bool> m_right;
    std::vector<std::pair<Row, bool>> m_sample;
    bool m_fixed = false;
    bool m_wrote_footer = false;
};

}  // namespace

std::unique_ptr<TabularWriter> make_tabular_writer(Format format, std::ostream& out, TabularSpec spec)
{
    switch (format) {
    case Format::csv: return std::make_unique<CsvWriter>(out, std::move(spec));
    case Format::json: return std::make_unique<JsonWriter>(out, std::move(spec));
    case Format::table: return std::make_unique<TableWriter>(out, std::move(spec));
    case Format::yaml: break;
    }
    return std::make_unique<YamlWriter>(out, std::move(spec));
}

}  // namespace billrun::io
