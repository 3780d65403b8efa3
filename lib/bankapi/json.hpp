#pragma once
// Reading the banks' JSON answers (yaml-cpp reads JSON): members by name whatever their case,
// scalars as text, null as empty.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include <billrun/core/error.hpp>

namespace billrun::bankapi {

// nullopt when the text is not JSON (or YAML) at all.
std::optional<YAML::Node> parse_json(std::string_view text);
// The same, telling why not: data_invalid "line L, column C: message".
Result<YAML::Node> read_json(std::string_view text);
YAML::Node member(const YAML::Node& object, std::string_view key);
// The scalar member as text; empty when missing or null.
std::string text(const YAML::Node& object, std::string_view key);
std::string first_of(const YAML::Node& object, std::initializer_list<std::string_view> keys);

}  // namespace billrun::bankapi
