// The schema walker of walker.hpp: typed readers, unknown-key suggestions, secret refusal.
#include "walker.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <tuple>

#include <billrun/core/tax_id.hpp>

namespace billrun::config::detail {

namespace {

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Levenshtein distance, ignoring ASCII case.
std::size_t edit_distance(std::string_view a_text, std::string_view b_text)
{
    const std::string a = lower(a_text);
    const std::string b = lower(b_text);
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The candidate nearest to `word`, when it is near enough to be a likely typo; else "".
std::string nearest(std::string_view word, const std::vector<std::string_view>& candidates)
{
    const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
    std::string_view best;
    std::size_t best_distance = limit + 1;
    for (std::string_view candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return std::string(best);
}

bool is_secret_name(std::string_view key)
{
    return key == "password" || key == "secret" || key == "client_secret" || key == "token" ||
           key == "senha";
}

bool all_digits(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_env_name(std::string_view text)
{
    if (text.empty() || (text[0] >= '0' && text[0] <= '9')) {
        return false;
    }
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string bar_list(const std::vector<std::string_view>& names)
{
    return fmt::format("{}", fmt::join(names, " | "));
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates)
{
    const std::string near = nearest(word, candidates);
    return near.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", near);
}

std::string join_path(const std::string& parent, std::string_view key)
{
    return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

void Walker::error(const YAML::Mark& mark, std::string message)
{
    if (mark.is_null()) {
        m_problems.push_back(Problem{0, 0, fmt::format("{}: {}", m_file, message)});
        return;
    }
    m_problems.push_back(Problem{mark.line + 1, mark.column + 1,
                                 fmt::format("{}:{}:{}: {}", m_file, mark.line + 1, mark.column + 1, message)});
}

std::string Walker::report() const
{
    std::vector<Problem> sorted = m_problems;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) {
        const int line_a = a.line == 0 ? std::numeric_limits<int>::max() : a.line;
        const int line_b = b.line == 0 ? std::numeric_limits<int>::max() : b.line;
        return std::tie(line_a, a.column) < std::tie(line_b, b.column);
    });
    std::string out;
    for (const Problem& problem : sorted) {
        if (!out.empty()) {
            out += '\n';
        }
        out += problem.message;
    }
    return out;
}

void Walker::fields(const Item& item, const Fields& known, const std::vector<std::string_view>& required)
{
    std::map<std::string, int> seen;  // key -> line
    if (!item.node.IsNull()) {
        if (!item.node.IsMap()) {
            error(item, "expected a mapping (key: value lines)");
            return;
        }
        for (const auto& entry : item.node) {
            const YAML::Node key_node = entry.first;
            if (!key_node.IsScalar()) {
                error(key_node.Mark(), fmt::format("{}: a key must be a plain name", item.path));
                continue;
            }
            const std::string& key = key_node.Scalar();
            const Item child{entry.second, key_node.Mark(), join_path(item.path, key)};
            const auto [first, inserted] = seen.emplace(key, key_node.Mark().line + 1);
            if (!inserted) {
                error(child.key_mark, fmt::format("duplicate key '{}' (first at line {})", child.path, first->second));
                continue;
            }
            const auto field = std::find_if(known.begin(), known.end(), [&](const Field& f) { return f.name == key; });
            if (field == known.end()) {
                unknown_key(key, child, known);
                continue;
            }
            field->handle(child);
        }
    }
    for (std::string_view name : required) {
        if (seen.count(std::string(name)) == 0) {
            error(item, fmt::format("missing key '{}'", name));
        }
    }
}

void Walker::list(const Item& item, const Handler& each)
{
    if (item.node.IsNull()) {
        return;
    }
    if (!item.node.IsSequence()) {
        error(item, "expected a list");
        return;
    }
    std::size_t index = 0;
    for (const YAML::Node& element : item.node) {
        each(Item{element, element.Mark(), fmt::format("{}[{}]", item.path, index)});
        ++index;
    }
}

void Walker::unknown_key(const std::string& key, const Item& child, const Fields& known)
{
    std::vector<std::string_view> names;
    for (const Field& field : known) {
        names.push_back(field.name);
    }
    if (is_secret_name(key)) {
        secret_key(key, child, names);
        return;
    }
    std::string hint;
    const std::string env_key = key + "_env";
    if (std::find(names.begin(), names.end(), env_key) != names.end()) {
        hint = fmt::format(" (did you mean '{}'? it names the environment variable that holds the value)", env_key);
    } else {
        hint = did_you_mean(key, names);
        if (hint.empty() && !names.empty()) {
            hint = fmt::format(" (expected one of: {})", fmt::join(names, ", "));
        }
    }
    error(child.key_mark, fmt::format("unknown key '{}'{}", child.path, hint));
    scan_secrets(child.node, child.path);
}

void Walker::secret_key(const std::string& key, const Item& child, const std::vector<std::string_view>& siblings)
{
    std::vector<std::string_view> env_keys;
    std::copy_if(siblings.begin(), siblings.end(), std::back_inserter(env_keys),
                 [](std::string_view name) { return name.size() > 4 && name.substr(name.size() - 4) == "_env"; });
    std::string env_key =
        env_keys.empty() ? "the matching *_env key" : fmt::format("one of {}", fmt::join(env_keys, ", "));
    for (const std::string& preferred : {key + "_env", std::string("password_env")}) {
        if (std::find(env_keys.begin(), env_keys.end(), preferred) != env_keys.end()) {
            env_key = fmt::format("'{}'", preferred);
            break;
        }
    }
    error(child.key_mark, fmt::format("'{}': secrets never live in billrun.yaml; put the value in an environment "
                                      "variable and give that variable's name in {}",
                                      child.path, env_key));
}

void Walker::scan_secrets(const YAML::Node& node, const std::string& path)
{
    if (node.IsMap()) {
        for (const auto& entry : node) {
            if (!entry.first.IsScalar()) {
                continue;
            }
            const Item child{entry.second, entry.first.Mark(), join_path(path, entry.first.Scalar())};
            if (is_secret_name(entry.first.Scalar())) {
                secret_key(entry.first.Scalar(), child, {});
            }
            scan_secrets(entry.second, child.path);
        }
    } else if (node.IsSequence()) {
        std::size_t index = 0;
        for (const YAML::Node& element : node) {
            scan_secrets(element, fmt::format("{}[{}]", path, index++));
        }
    }
}

std::optional<std::string> Walker::scalar(const Item& item)
{
    if (item.node.IsNull()) {
        return std::string();
    }
    if (!item.node.IsScalar()) {
        error(item, item.node.IsSequence() ? "expected a single value, not a list"
                                           : "expected a single value, not a mapping");
        return std::nullopt;
    }
    return item.node.Scalar();
}

Handler Walker::text(std::string& out, bool required)
{
    return [this, &out, required](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        if (required && value->empty()) {
            error(item, "must not be empty");
            return;
        }
        out = std::move(*value);
    };
}

Handler Walker::path(std::filesystem::path& out, bool required)
{
    return [this, &out, required](const Item& item) {
        std::string value = out.string();
        text(value, required)(item);
        out = value;
    };
}

Handler Walker::one_of(std::string& out, std::vector<std::string_view> allowed)
{
    return [this, &out, allowed = std::move(allowed)](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        if (value->empty()) {
            error(item, fmt::format("missing value; expected {}", bar_list(allowed)));
        } else if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
            error(item,
                  fmt::format("'{}' is not one of {}{}", *value, bar_list(allowed), did_you_mean(*value, allowed)));
        } else {
            out = std::move(*value);
        }
    };
}

Handler Walker::flag(bool& out, std::string_view off, std::string_view on)
{
    return [this, &out, off, on](const Item& item) {
        std::string value(out ? on : off);
        one_of(value, {off, on})(item);
        out = value == on;
    };
}

Handler Walker::rate(Rate& out)
{
    return [this, &out](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        const std::optional<Rate> parsed = parse_rate(*value);
        if (!parsed || *parsed < 0 || *parsed > 10000) {
            error(item, fmt::format("'{}' is not a percentage from 0 to 100 with up to two decimals (like \"2.00\")",
                                    *value));
            return;
        }
        out = *parsed;
    };
}

Handler Walker::money(Centavos& out)
{
    return [this, &out](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        const std::optional<Centavos> parsed = parse_money(*value);
        if (!parsed || *parsed < 0) {
            error(item, fmt::format("'{}' is not an amount of money with up to two decimals (like \"10.00\")", *value));
            return;
        }
        out = *parsed;
    };
}

template <typename Int>
Handler Walker::integer(Int& out, Int minimum)
{
    return [this, &out, minimum](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        long long parsed = 0;
        const char* end = value->data() + value->size();
        const auto [stop, ec] = std::from_chars(value->data(), end, parsed);
        if (value->empty() || ec != std::errc() || stop != end || parsed > std::numeric_limits<Int>::max() ||
            parsed < std::numeric_limits<Int>::min()) {
            error(item, fmt::format("'{}' is not a whole number", *value));
        } else if (parsed < minimum) {
            error(item, fmt::format("must be {} or more, not {}", minimum, parsed));
        } else {
            out = static_cast<Int>(parsed);
        }
    };
}

Handler Walker::digits(std::string& out, std::size_t count)
{
    return [this, &out, count](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        if (value->size() != count || !all_digits(*value)) {
            error(item, fmt::format("'{}' must be {} digits (quote it to keep leading zeros)", *value, count));
            return;
        }
        out = std::move(*value);
    };
}

Handler Walker::env_name(std::string& out)
{
    return [this, &out](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        if (!value->empty() && !is_env_name(*value)) {
            error(item, "is not an environment variable name (letters, digits and '_'); secrets never live in "
                        "billrun.yaml, only the name of the variable that holds them");
            return;
        }
        out = std::move(*value);
    };
}

Handler Walker::url(std::string& out, std::vector<std::string_view> schemes)
{
    return [this, &out, schemes = std::move(schemes)](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        const bool known_scheme = std::any_of(schemes.begin(), schemes.end(), [&](std::string_view scheme) {
            const std::string prefix = fmt::format("{}://", scheme);
            return value->size() > prefix.size() && value->compare(0, prefix.size(), prefix) == 0;
        });
        if (!value->empty() && !known_scheme) {
            error(item, fmt::format("'{}' is not a {}:// URL (leave it empty for none)", *value,
                                    fmt::join(schemes, "://, ")));
            return;
        }
        out = std::move(*value);
    };
}

Handler Walker::tax_id(std::string& out)
{
    return [this, &out](const Item& item) {
        std::optional<std::string> value = scalar(item);
        if (!value) {
            return;
        }
        std::string why;
        const std::optional<TaxId> parsed = parse_tax_id(*value, &why);
        if (!parsed) {
            error(item, fmt::format("'{}' is not a valid CNPJ or CPF{}", *value,
                                    why.empty() ? "" : fmt::format(" ({})", why)));
            return;
        }
        out = parsed->value;
    };
}

Handler Walker::strings(std::vector<std::string>& out)
{
    return [this, &out](const Item& item) {
        if (!item.node.IsNull() && !item.node.IsSequence()) {
            error(item, "expected a list of texts, like [\"Não receber após 60 dias do vencimento\"]");
            return;
        }
        out.clear();
        list(item, [&](const Item& element) {
            std::string line;
            text(line)(element);
            out.push_back(std::move(line));
        });
    };
}

template Handler Walker::integer<int>(int&, int);
template Handler Walker::integer<std::int64_t>(std::int64_t&, std::int64_t);

}  // namespace billrun::config::detail
