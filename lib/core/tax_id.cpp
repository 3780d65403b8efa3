#include <billrun/core/tax_id.hpp>

#include <cstddef>

namespace billrun {

namespace {

constexpr std::size_t k_cpf_length = 11;
constexpr std::size_t k_cnpj_length = 14;

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool is_upper_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z');
}

char to_upper(char c)
{
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool all_same(std::string_view s)
{
    for (const char c : s) {
        if (c != s.front()) {
            return false;
        }
    }
    return true;
}

bool all_digits(std::string_view s)
{
    for (const char c : s) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

// CPF: weights 10.. (or 11..) down to 2 over the first digits; DV = 11 - sum mod 11, 0 if >= 10.
char cpf_check_digit(std::string_view digits)
{
    int sum = 0;
    int weight = static_cast<int>(digits.size()) + 1;
    for (const char c : digits) {
        sum += (c - '0') * weight;
        --weight;
    }
    const int dv = 11 - sum % 11;
    return static_cast<char>('0' + (dv >= 10 ? 0 : dv));
}

// CNPJ (numeric or alphanumeric): value = ASCII - 48, weights 2..9 cycling from the right.
char cnpj_check_digit(std::string_view chars)
{
    int sum = 0;
    int weight = 2;
    for (auto i = chars.size(); i-- > 0;) {
        sum += (to_upper(chars[i]) - '0') * weight;
        weight = weight == 9 ? 2 : weight + 1;
    }
    const int dv = 11 - sum % 11;
    return static_cast<char>('0' + (dv >= 10 ? 0 : dv));
}

std::optional<TaxId> reject(std::string* why, const char* reason)
{
    if (why != nullptr) {
        *why = reason;
    }
    return std::nullopt;
}

bool is_punctuation(char c)
{
    return c == '.' || c == '/' || c == '-' || c == ' ';
}

}  // namespace

std::optional<TaxId> parse_tax_id(std::string_view text, std::string* why)
{
    TaxId id;
    id.value.reserve(k_cnpj_length);
    for (const char c : text) {
        if (is_punctuation(c) || c == '\t') {
            continue;
        }
        const char upper = to_upper(c);
        if (!is_upper_alnum(upper)) {
            return reject(why,
                          "invalid character in CPF/CNPJ (only digits, letters, '.', '/', '-')");
        }
        if (id.value.size() == k_cnpj_length) {
            return reject(why, "expected 11 (CPF) or 14 (CNPJ) characters");
        }
        id.value.push_back(upper);
    }
    if (id.value.empty()) {
        return reject(why, "empty CPF/CNPJ");
    }
    if (id.value.size() == k_cpf_length) {
        id.kind = TaxIdKind::cpf;
        if (!all_digits(id.value)) {
            return reject(why, "a CPF has digits only");
        }
        if (all_same(id.value)) {
            return reject(why, "CPF with all digits equal");
        }
        if (!valid_cpf(id.value)) {
            return reject(why, "CPF check digits do not match");
        }
        return id;
    }
    if (id.value.size() == k_cnpj_length) {
        id.kind = TaxIdKind::cnpj;
        if (!all_digits(std::string_view(id.value).substr(12))) {
            return reject(why, "CNPJ check digits must be numeric");
        }
        if (all_same(id.value)) {
            return reject(why, "CNPJ with all characters equal");
        }
        if (!valid_cnpj(id.value)) {
            return reject(why, "CNPJ check digits do not match");
        }
        return id;
    }
    return reject(why, "expected 11 (CPF) or 14 (CNPJ) characters");
}

bool valid_cpf(std::string_view digits11)
{
    if (digits11.size() != k_cpf_length || !all_digits(digits11) || all_same(digits11)) {
        return false;
    }
    return cpf_check_digit(digits11.substr(0, 9)) == digits11[9] &&
           cpf_check_digit(digits11.substr(0, 10)) == digits11[10];
}

bool valid_cnpj(std::string_view chars14)
{
    if (chars14.size() != k_cnpj_length || !all_digits(chars14.substr(12)) || all_same(chars14)) {
        return false;
    }
    for (const char c : chars14.substr(0, 12)) {
        if (!is_upper_alnum(to_upper(c))) {
            return false;
        }
    }
    return cnpj_check_digit(chars14.substr(0, 12)) == chars14[12] &&
           cnpj_check_digit(chars14.substr(0, 13)) == chars14[13];
}

std::string format_tax_id(const TaxId& id)
{
    const std::string& v = id.value;
    if (id.kind == TaxIdKind::cpf && v.size() == k_cpf_length) {
        std::string out;
        out.reserve(14);
        out.append(v, 0, 3).append(".").append(v, 3, 3).append(".").append(v, 6, 3);
        out.append("-").append(v, 9, 2);
        return out;
    }
    if (id.kind == TaxIdKind::cnpj && v.size() == k_cnpj_length) {
        std::string out;
        out.reserve(18);
        out.append(v, 0, 2).append(".").append(v, 2, 3).append(".").append(v, 5, 3);
        out.append("/").append(v, 8, 4).append("-").append(v, 12, 2);
        return out;
    }
    return v;
}

}  // namespace billrun
