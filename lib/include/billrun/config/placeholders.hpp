#pragma once
// Template placeholders (SPEC §2a): `{name}`, fmt style; `{{` and `}}` are literal braces.
// The loader checks every template against the list, so an unknown name is a configuration
// error found before anything is sent.
#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace billrun::config {

inline constexpr std::array<std::string_view, 13> k_placeholders{
    "company_name", "customer_name", "invoice", "issue_date", "due_date", "amount", "amount_due",
    "fine", "interest", "days_overdue", "linha_digitavel", "pix", "nfse_number"};

struct PlaceholderProblem {
    std::size_t line = 1;    // 1-based, in the text
    std::size_t column = 1;  // 1-based, in bytes
    std::string message;
};

// Every unknown placeholder and unbalanced brace of `text`.
std::vector<PlaceholderProblem> check_placeholders(std::string_view text);

// `text` with each placeholder replaced by value(name). Call on checked text only.
std::string fill_placeholders(std::string_view text, const std::function<std::string(std::string_view)>& value);

}  // namespace billrun::config
