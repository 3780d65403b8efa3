#pragma once
// Private to lib/config: walks a yaml-cpp tree against a table of known keys, reading each
// value through a typed handler and collecting every problem as "file:line:col: message".
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <billrun/core/money.hpp>

namespace billrun::config::detail {

// The value under one key, with where to point when it is wrong.
struct Item {
    YAML::Node node;
    YAML::Mark key_mark;
    std::string path;  // "invoicing.approval", "boleto.accounts[0].bank"

    // A null value carries the mark of whatever follows it: point at its key instead.
    YAML::Mark mark() const
    {
        if (!node.IsDefined() || node.IsNull() || node.Mark().is_null()) {
            return key_mark;
        }
        return node.Mark();
    }
};

// An Item with no place in the file (a default the file left out).
inline Item unplaced(std::string path)
{
    return Item{YAML::Node(), YAML::Mark::null_mark(), std::move(path)};
}

using Handler = std::function<void(const Item&)>;

struct Field {
    std::string_view name;
    Handler handle;
};

using Fields = std::vector<Field>;

// " (did you mean 'x'?)" when a candidate is a likely typo of `word`, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);
std::string join_path(const std::string& parent, std::string_view key);

class Walker {
public:
    explicit Walker(std::string file_name) : m_file(std::move(file_name)) {}

    // "FILE:LINE:COL: message", or "FILE: message" for a null mark.
    void error(const YAML::Mark& mark, std::string message);
    // "FILE:LINE:COL: PATH: message".
    void error(const Item& item, std::string_view message)
    {
        error(item.mark(), fmt::format("{}: {}", item.path, message));
    }
    bool failed() const { return !m_problems.empty(); }
    // Every problem, one a line, in file order (unplaced ones last).
    std::string report() const;

    // Walks a mapping: unknown, duplicate and secret keys are errors; known ones go to their
    // handler; `required` keys must be present. A null value counts as an empty mapping.
    void fields(const Item& item, const Fields& known, const std::vector<std::string_view>& required = {});
    // Calls `each` for every element of a list ("path[i]"); a null value is an empty list.
    void list(const Item& item, const Handler& each);

    // Handlers: each reads one kind of value into `out`, which must outlive the handler's
    // use, and leaves `out` unchanged on error. Empty text is "" (a null value too).
    std::optional<std::string> scalar(const Item& item);
    Handler text(std::string& out, bool required = false);
    Handler path(std::filesystem::path& out, bool required = false);
    Handler one_of(std::string& out, std::vector<std::string_view> allowed);
    Handler flag(bool& out, std::string_view off, std::string_view on);
    Handler rate(Rate& out);        // 0 to 100 percent, "2.00" or a bare 2
    Handler money(Centavos& out);   // not negative
    template <typename Int>
    Handler integer(Int& out, Int minimum);  // defined for int and std::int64_t
    Handler digits(std::string& out, std::size_t count);
    Handler env_name(std::string& out);  // an environment variable's name, or ""
    Handler url(std::string& out, std::vector<std::string_view> schemes);  // or ""
    Handler tax_id(std::string& out);    // CNPJ or CPF, stored normalised
    Handler strings(std::vector<std::string>& out);

private:
    struct Problem {
        int line = 0;  // 1-based; 0 when no place in the file applies
        int column = 0;
        std::string message;
    };

    void unknown_key(const std::string& key, const Item& child, const Fields& known);
    void secret_key(const std::string& key, const Item& child, const std::vector<std::string_view>& siblings);
    void scan_secrets(const YAML::Node& node, const std::string& path);

    std::string m_file;
    std::vector<Problem> m_problems;
};

}  // namespace billrun::config::detail
