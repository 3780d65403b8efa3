#include <billrun/config/placeholders.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace billrun::config {

namespace {

bool known(std::string_view name)
{
    return std::find(k_placeholders.begin(), k_placeholders.end(), name) != k_placeholders.end();
}

// The first of `chars` in text[from..], or npos: a plain loop, as string_view::find_first_of
// calls memchr over `chars` for each character of the text (it showed in remind's profile).
std::size_t find_any(std::string_view text, std::size_t from, std::string_view chars)
{
    for (std::size_t i = from; i < text.size(); ++i) {
        const char c = text[i];
        for (char wanted : chars) {
            if (c == wanted) {
                return i;
            }
        }
    }
    return std::string_view::npos;
}

// Walks `text`, calling literal(piece) and field(name, offset) in order; reports problems.
template <typename Literal, typename Field, typename Problem>
void scan(std::string_view text, Literal&& literal, Field&& field, Problem&& problem)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t brace = find_any(text, i, "{}");
        if (brace == std::string_view::npos) {
            literal(text.substr(i));
            return;
        }
        literal(text.substr(i, brace - i));
        if (brace + 1 < text.size() && text[brace + 1] == text[brace]) {
            literal(text.substr(brace, 1));  // {{ or }}
            i = brace + 2;
            continue;
        }
        if (text[brace] == '}') {
            problem(brace, "a lone '}' (write '}}' for a brace)");
            i = brace + 1;
            continue;
        }
        const std::size_t close = find_any(text, brace + 1, "{}\n");
        if (close == std::string_view::npos || text[close] != '}') {
            problem(brace, "a '{' that no '}' closes on its line (write '{{' for a brace)");
            i = brace + 1;
            continue;
        }
        field(text.substr(brace + 1, close - brace - 1), brace);
        i = close + 1;
    }
}

}  // namespace

std::vector<PlaceholderProblem> check_placeholders(std::string_view text)
{
    std::vector<PlaceholderProblem> out;
    const auto report = [&](std::size_t offset, std::string message) {
        PlaceholderProblem p;
        for (std::size_t k = 0; k < offset; ++k) {
            if (text[k] == '\n') {
                ++p.line;
                p.column = 1;
            } else {
                ++p.column;
            }
        }
        p.message = std::move(message);
        out.push_back(std::move(p));
    };
    scan(
        text, [](std::string_view) {},
        [&](std::string_view name, std::size_t offset) {
            if (!known(name)) {
                report(offset, fmt::format("unknown placeholder {{{}}} (known: {})", name, fmt::join(k_placeholders, ", ")));
            }
        },
        report);
    return out;
}

std::string fill_placeholders(std::string_view text, const std::function<std::string(std::string_view)>& value)
{
    std::string out;
    out.reserve(text.size() + 64);
    scan(
        text, [&](std::string_view piece) { out.append(piece); },
        [&](std::string_view name, std::size_t) { out += value(name); },
        [&](std::size_t offset, const std::string&) { out += text[offset]; });
    return out;
}

}  // namespace billrun::config
