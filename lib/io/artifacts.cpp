#include <billrun/io/artifacts.hpp>

#include <charconv>

#include <fmt/format.h>

#include <billrun/core/text.hpp>

namespace billrun::io {

namespace {

std::string unquote(std::string_view value)
{
    value = trim(value);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
}

}  // namespace

Result<std::vector<DocumentRef>> scan_documents(Input& input)
{
    std::vector<DocumentRef> docs;
    std::string line;
    std::int64_t number = 0;
    bool open = false;
    auto close = [&]() -> Result<void> {
        if (open && docs.back().kind.empty()) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{}:{}: a document without 'kind:' (expected billrun artifact documents)",
                                    input.name, docs.back().line));
        }
        return {};
    };
    while (std::getline(*input.stream, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line == "---" || line.starts_with("--- ")) {
            if (auto r = close(); !r) {
                return tl::unexpected(r.error());
            }
            docs.push_back(DocumentRef{number + 1, {}, {}, 0, {}});
            open = true;
            continue;
        }
        if (line.empty() || line.front() == ' ' || line.front() == '-' || line.front() == '#') {
            continue;
        }
        if (!open) {
            docs.push_back(DocumentRef{number, {}, {}, 0, {}});
            open = true;
        }
        auto colon = line.find(':');
        if (colon == std::string::npos) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("{}:{}: not a YAML artifact stream (expected 'key: value')", input.name, number));
        }
        std::string_view field(line.data(), colon);
        std::string value = unquote(std::string_view(line).substr(colon + 1));
        DocumentRef& doc = docs.back();
        if (field == "kind") {
            doc.kind = value;
        } else if (field == "id") {
            doc.id = value == "null" ? std::string() : value;
        } else if (field == "invoice") {
            doc.invoice = value == "null" ? std::string() : value;
        } else if (field == "key") {
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), doc.key);
            if (ec != std::errc() || end != value.data() + value.size()) {
                return fail(ErrorCode::data_invalid,
                            fmt::format("{}:{}: key '{}' is not a number", input.name, number, value));
            }
        }
    }
    if (input.stream->bad()) {
        return fail(ErrorCode::no_input, fmt::format("{}: read error", input.name));
    }
    if (auto r = close(); !r) {
        return tl::unexpected(r.error());
    }
    return docs;
}

}  // namespace billrun::io
