#pragma once
// Artifact documents (SPEC §2, §12): an ordered tree of maps, lists and scalars, written as
// a YAML stream (one document per record), JSON, or a plain two-column table. Money and
// dates are strings, so YAML readers never turn them into floats or timestamps.
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/money.hpp>

namespace billrun::io {

class Value;
using Map = std::vector<std::pair<std::string, Value>>;
using List = std::vector<Value>;

class Value {
public:
    Value() = default;  // null
    Value(std::nullptr_t) {}
    Value(bool v) : m_data(v) {}
    Value(int v) : m_data(static_cast<std::int64_t>(v)) {}
    Value(std::int64_t v) : m_data(v) {}
    Value(std::string v) : m_data(std::move(v)) {}
    Value(std::string_view v) : m_data(std::string(v)) {}
    Value(const char* v) : m_data(std::string(v)) {}
    Value(Map v) : m_data(std::make_shared<Map>(std::move(v))) {}
    Value(List v) : m_data(std::make_shared<List>(std::move(v))) {}

    static Value money(Centavos v) { return Value(format_money(v)); }
    static Value date(Date d) { return Value(d.iso()); }

    bool is_null() const { return std::holds_alternative<std::monostate>(m_data); }
    const bool* as_bool() const { return std::get_if<bool>(&m_data); }
    const std::int64_t* as_int() const { return std::get_if<std::int64_t>(&m_data); }
    const std::string* as_string() const { return std::get_if<std::string>(&m_data); }
    const Map* as_map() const;
    const List* as_list() const;

private:
    std::variant<std::monostate, bool, std::int64_t, std::string, std::shared_ptr<Map>,
                 std::shared_ptr<List>>
        m_data;
};

// One YAML document: "---\n" then the map.
void write_yaml_document(std::ostream& out, const Map& doc);
// The same document appended to `text`.
void append_yaml_document(std::string& text, const Map& doc);
// One JSON object on one line (a stream of documents is JSON Lines).
void write_json_line(std::ostream& out, const Map& doc);
// "key: value" lines with nested keys dotted (lines.1.amount), aligned for a terminal.
void write_table(std::ostream& out, const Map& doc);

// Quotes a scalar for YAML when a plain scalar would be read back as something else.
std::string yaml_scalar(std::string_view text);
void append_yaml_scalar(std::string& out, std::string_view text);
std::string json_string(std::string_view text);

enum class Format { yaml, json, csv, table };

}  // namespace billrun::io
