#pragma once
// Loading YAML text, for every reader of YAML files (billrun.yaml, the import files).
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace billrun::config {

// YAML::LoadAll of UTF-8 text (or UTF-16/32 with a BOM), with the holes of yaml-cpp 0.7
// (Debian 12) closed: a ',' outside any [...] or {...} (",", "{a: b}\n,") makes it return
// empty documents forever, taking all memory (yaml-cpp issue 1040); it drops what follows a
// NUL byte and keeps invalid UTF-8; it says "bad file" of YAML nested too deep. Each is a
// YAML::ParserException at its place here, like any syntax error. The text is parsed twice:
// a check pass without nodes, then the nodes.
std::vector<YAML::Node> load_all_yaml(const std::string& text);

}  // namespace billrun::config
