#include "json.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace billrun::bankapi {

namespace {

bool same_name(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

}  // namespace

std::optional<YAML::Node> parse_json(std::string_view text)
{
    auto doc = read_json(text);
    return doc ? std::optional<YAML::Node>(std::move(*doc)) : std::nullopt;
}

Result<YAML::Node> read_json(std::string_view text)
{
    try {
        return YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("line {}, column {}: not JSON: {}", e.mark.line + 1, e.mark.column + 1, e.msg));
    }
}

YAML::Node member(const YAML::Node& object, std::string_view key)
{
    if (!object.IsMap()) {
        return YAML::Node();
    }
    for (const auto& kv : object) {
        if (kv.first.IsScalar() && same_name(kv.first.Scalar(), key)) {
            return kv.second;
        }
    }
    return YAML::Node();
}

std::string text(const YAML::Node& object, std::string_view key)
{
    YAML::Node node = member(object, key);
    if (!node || !node.IsScalar() || node.Tag() == "tag:yaml.org,2002:null" || node.Scalar() == "null") {
        return {};
    }
    return node.Scalar();
}

std::string first_of(const YAML::Node& object, std::initializer_list<std::string_view> keys)
{
    for (auto key : keys) {
        if (auto value = text(object, key); !value.empty()) {
            return value;
        }
    }
    return {};
}

}  // namespace billrun::bankapi
