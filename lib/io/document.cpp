#include <billrun/io/document.hpp>

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include <billrun/core/text.hpp>

namespace billrun::io {

const Map* Value::as_map() const
{
    auto p = std::get_if<std::shared_ptr<Map>>(&m_data);
    return p != nullptr ? p->get() : nullptr;
}

const List* Value::as_list() const
{
    auto p = std::get_if<std::shared_ptr<List>>(&m_data);
    return p != nullptr ? p->get() : nullptr;
}

namespace {

// Characters that make a scalar unsafe to write plain wherever they are (':' only before a
// space or at the end, checked apart): a table, as every text field of every document is
// checked character by character.
constexpr std::array<bool, 256> k_never_plain = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c) {
        table[static_cast<std::size_t>(c)] = true;
    }
    for (unsigned char c : std::string_view("\x7f\"'\\#`{}[],|>%@&*!")) {
        table[c] = true;
    }
    return table;  // bytes from 0x80 (UTF-8 text) are fine
}();

bool plain_safe(std::string_view s)
{
    if (s.empty()) {
        return false;
    }
    // Letters first, so numbers, dates, '-', '*', '&', '!', '[', '{', '"', '#' ... are quoted.
    unsigned char first = static_cast<unsigned char>(s.front());
    if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '/' ||
          first == '_' || first == '.')) {
        return false;
    }
    if (s.back() == ' ' || s.back() == ':') {
        return false;
    }
    if (s.size() <= 5) {  // the longest of the words YAML reads as something else
        static constexpr std::array<std::string_view, 28> k_reserved{
            "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE",
            "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
            "null", "Null", "NULL", "~", ".inf", ".nan"};
        if (std::find(k_reserved.begin(), k_reserved.end(), s) != k_reserved.end()) {
            return false;
        }
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (k_never_plain[c]) {
            return false;
        }
        if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) {
            return false;
        }
    }
    return true;
}

void yaml_value(std::string& out, const Value& value, int indent);

void yaml_map(std::string& out, const Map& map, int indent)
{
    for (const auto& [key, value] : map) {
        out.append(static_cast<std::size_t>(indent), ' ');
        append_yaml_scalar(out, key);
        out += ':';
        yaml_value(out, value, indent);
    }
}

// Writes what follows "key:" (or "-"): a scalar on the same line, or a nested block.
void yaml_value(std::string& out, const Value& value, int indent)
{
    if (const Map* map = value.as_map()) {
        if (map->empty()) {
            out += " {}\n";
            return;
        }
        out += '\n';
        yaml_map(out, *map, indent + 2);
        return;
    }
    if (const List* list = value.as_list()) {
        if (list->empty()) {
            out += " []\n";
            return;
        }
        out += '\n';
        for (const auto& item : *list) {
            out.append(static_cast<std::size_t>(indent + 2), ' ');
            out += '-';
            if (const Map* item_map = item.as_map(); item_map != nullptr && !item_map->empty()) {
                // "- key: value" with the following keys aligned under the first.
                bool first = true;
                for (const auto& [key, v] : *item_map) {
                    if (first) {
                        out += ' ';
                        first = false;
                    } else {
                        out.append(static_cast<std::size_t>(indent + 4), ' ');
                    }
                    out += yaml_scalar(key);
                    out += ':';
                    yaml_value(out, v, indent + 4);
                }
            } else {
                yaml_value(out, item, indent + 2);
            }
        }
        return;
    }
    out += ' ';
    if (value.is_null()) {
        out += "null";
    } else if (const bool* b = value.as_bool()) {
        out += *b ? "true" : "false";
    } else if (const std::int64_t* i = value.as_int()) {
        out += std::to_string(*i);
    } else if (const std::string* s = value.as_string()) {
        append_yaml_scalar(out, *s);
    }
    out += '\n';
}

void json_value(std::string& out, const Value& value)
{
    if (const Map* map = value.as_map()) {
        out += '{';
        bool first = true;
        for (const auto& [key, v] : *map) {
            if (!first) {
                out += ',';
            }
            first = false;
            out += json_string(key);
            out += ':';
            json_value(out, v);
        }
        out += '}';
    } else if (const List* list = value.as_list()) {
        out += '[';
        bool first = true;
        for (const auto& v : *list) {
            if (!first) {
                out += ',';
            }
            first = false;
            json_value(out, v);
        }
        out += ']';
    } else if (value.is_null()) {
        out += "null";
    } else if (const bool* b = value.as_bool()) {
        out += *b ? "true" : "false";
    } else if (const std::int64_t* i = value.as_int()) {
        out += std::to_string(*i);
    } else if (const std::string* s = value.as_string()) {
        out += json_string(*s);
    }
}

void flatten(std::vector<std::pair<std::string, std::string>>& rows, const std::string& prefix,
             const Value& value)
{
    if (const Map* map = value.as_map()) {
        for (const auto& [key, v] : *map) {
            flatten(rows, prefix.empty() ? key : prefix + "." + key, v);
        }
    } else if (const List* list = value.as_list()) {
        if (list->empty()) {
            rows.emplace_back(prefix, "");
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            flatten(rows, fmt::format("{}.{}", prefix, i + 1), (*list)[i]);
        }
    } else if (value.is_null()) {
        rows.emplace_back(prefix, "");
    } else if (const bool* b = value.as_bool()) {
        rows.emplace_back(prefix, *b ? "yes" : "no");
    } else if (const std::int64_t* i = value.as_int()) {
        rows.emplace_back(prefix, std::to_string(*i));
    } else if (const std::string* s = value.as_string()) {
        rows.emplace_back(prefix, *s);
    }
}

std::size_t display_width(std::string_view s)
{
    std::size_t width = 0;
    for (char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++width;
        }
    }
    return width;
}

}  // namespace

std::string yaml_scalar(std::string_view text)
{
    std::string out;
    append_yaml_scalar(out, text);
    return out;
}

void append_yaml_scalar(std::string& out, std::string_view text)
{
    if (plain_safe(text)) {
        out += text;
        return;
    }
    out += '"';
    append_escaped(out, text, false);
    out += '"';
}

std::string json_string(std::string_view text)
{
    std::string out;
    append_json_string(out, text);
    return out;
}

void append_yaml_document(std::string& text, const Map& doc)
{
    text += "---\n";
    yaml_map(text, doc, 0);
}

void write_yaml_document(std::ostream& out, const Map& doc)
{
    std::string text = "---\n";
    yaml_map(text, doc, 0);
    out << text;
}

void write_json_line(std::ostream& out, const Map& doc)
{
    std::string text;
    json_value(text, Value(doc));
    text += '\n';
    out << text;
}

void write_table(std::ostream& out, const Map& doc)
{
    std::vector<std::pair<std::string, std::string>> rows;
    flatten(rows, "", Value(doc));
    std::size_t width = 0;
    for (const auto& row : rows) {
        width = std::max(width, display_width(row.first));
    }
    std::string text;
    for (const auto& [key, value] : rows) {
        text += key;
        text.append(width - display_width(key) + 2, ' ');
        for (char c : value) {
            text += c == '\n' ? ' ' : c;
        }
        text += '\n';
    }
    out << text;
}

}  // namespace billrun::io
