// FEBRABAN boleto arithmetic (shared/reference/boleto/FACTS.md §2.1–2.4): fixed buffers, no
// allocation besides the result, so a million barcodes cost well under a second.
#include <billrun/boleto/febraban.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace billrun::boleto {

namespace {

constexpr std::int32_t k_factor_base = 10141;  // 1997-10-07 in days since 1970-01-01: factor 0
constexpr std::int32_t k_first_factor_day = k_factor_base + 1000;  // 2000-07-03: factor 1000
constexpr std::int32_t k_cycle = 9000;
constexpr std::int32_t k_window_back = 3000;  // brcobranca calculo_data.rb: the payment window
constexpr std::int32_t k_window_ahead = 5500;
constexpr Centavos k_max_amount = 9'999'999'999;  // 10 digits: 99.999.999,99
constexpr std::size_t k_barcode_length = 44;
constexpr std::size_t k_linha_length = 47;
constexpr std::size_t k_campo_livre_length = 25;

bool all_digits(std::string_view s)
{
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

// Writes value as `width` zero-filled digits; value fits (checked by the caller).
void put_digits(char* out, std::int64_t value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

// Weights 2..9 repeating from the right, precomputed so the sums have no dependency chain.
template <std::size_t N>
constexpr std::array<int, N> weights_2_to_9(std::size_t skip)
{
    std::array<int, N> out{};
    int weight = 2;
    for (std::size_t i = N; i > 0; --i) {
        if (i - 1 == skip) {
            continue;
        }
        out[i - 1] = weight;
        weight = weight == 9 ? 2 : weight + 1;
    }
    return out;
}

// Over the 44 digits with weight 0 at the DV's own place, and over the 43 others (skipping none).
constexpr std::array<int, k_barcode_length> k_barcode_weights = weights_2_to_9<k_barcode_length>(4);
constexpr std::array<int, k_barcode_length - 1> k_dv_weights = weights_2_to_9<k_barcode_length - 1>(k_barcode_length);

template <std::size_t N>
int mod11_dv(const char* digits, const std::array<int, N>& weights)
{
    int sum = 0;
    for (std::size_t i = 0; i < N; ++i) {
        sum += (digits[i] - '0') * weights[i];
    }
    const int dv = 11 - sum % 11;
    return dv > 9 ? 1 : dv;  // 11 - r is never 0; 10 and 11 become 1
}

// The DV of a barcode whose position 5 (index 4) is still a placeholder.
int barcode_dv_skipping(const char* barcode44)
{
    return mod11_dv(barcode44, k_barcode_weights);
}

char mod10_char(const char* digits, std::size_t n)
{
    return static_cast<char>('0' + mod10(std::string_view(digits, n)));
}

}  // namespace

int mod10(std::string_view digits)
{
    int sum = 0;
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        const int product = (digits[n - 1 - i] - '0') << (1 - (i & 1));  // doubled at even places from the right
        sum += product > 9 ? product - 9 : product;
    }
    return (10 - sum % 10) % 10;
}

int barcode_dv(std::string_view digits43)
{
    if (digits43.size() == k_dv_weights.size()) {
        return mod11_dv(digits43.data(), k_dv_weights);
    }
    int sum = 0;
    int weight = 2;
    for (auto it = digits43.rbegin(); it != digits43.rend(); ++it) {
        sum += (*it - '0') * weight;
        weight = weight == 9 ? 2 : weight + 1;
    }
    const int dv = 11 - sum % 11;
    return dv > 9 ? 1 : dv;
}

std::optional<int> due_factor(Date due)
{
    const std::int32_t days = due.days() - k_factor_base;
    if (days < 1000) {
        return std::nullopt;
    }
    return (days - 1000) % k_cycle + 1000;
}

// Candidates are 2000-07-03 + (factor - 1000) + 9000k days. The window of 8501 days holds at
// most one; when a factor falls in the 499-day gap outside it, the nearer candidate wins. A
// factor outside 1000..9999 is reduced into the cycle; 0000 ("no due date") is the caller's case.
Date date_from_factor(int factor, Date reference)
{
    const std::int32_t offset = ((factor - 1000) % k_cycle + k_cycle) % k_cycle;
    const std::int32_t low = reference.days() - k_window_back;
    const std::int32_t high = reference.days() + k_window_ahead;
    std::int32_t candidate = k_first_factor_day + offset;
    if (candidate < low) {
        candidate += (low - candidate + k_cycle - 1) / k_cycle * k_cycle;
    }
    if (candidate > high) {
        const std::int32_t earlier = candidate - k_cycle;
        if (earlier >= k_first_factor_day && low - earlier < candidate - high) {
            candidate = earlier;
        }
    }
    return Date::from_days(candidate);
}

Result<std::string> make_barcode(std::string_view bank, Date due, Centavos amount, std::string_view campo_livre)
{
    if (bank.size() != 3 || !all_digits(bank)) {
        return fail(ErrorCode::data_invalid, fmt::format("bank code '{}' must have 3 digits", bank));
    }
    if (campo_livre.size() != k_campo_livre_length || !all_digits(campo_livre)) {
        return fail(ErrorCode::data_invalid, fmt::format("campo livre '{}' must have 25 digits", campo_livre));
    }
    if (amount < 0 || amount > k_max_amount) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("amount of {} centavos does not fit a boleto (0 to 99.999.999,99)", amount));
    }
    const std::optional<int> factor = due_factor(due);
    if (!factor) {
        return fail(ErrorCode::data_invalid,
                    fmt::format("due date {} is before 2000-07-03, the first date with a due-date factor", due.iso()));
    }
    std::string barcode(k_barcode_length, '0');
    char* out = barcode.data();
    std::memcpy(out, bank.data(), 3);
    out[3] = '9';
    put_digits(out + 5, *factor, 4);
    put_digits(out + 9, amount, 10);
    std::memcpy(out + 19, campo_livre.data(), k_campo_livre_length);
    out[4] = static_cast<char>('0' + barcode_dv_skipping(out));
    return barcode;
}

// An input that is not 44 digits gives an empty string.
std::string linha_digitavel(std::string_view barcode44)
{
    if (barcode44.size() != k_barcode_length || !all_digits(barcode44)) {
        return {};
    }
    const char* b = barcode44.data();
    std::string linha(k_linha_length, '0');
    char* l = linha.data();
    std::memcpy(l, b, 4);  // field 1: bank, currency, campo livre 1-5, DV
    std::memcpy(l + 4, b + 19, 5);
    l[9] = mod10_char(l, 9);
    std::memcpy(l + 10, b + 24, 10);  // field 2: campo livre 6-15, DV
    l[20] = mod10_char(l + 10, 10);
    std::memcpy(l + 21, b + 34, 10);  // field 3: campo livre 16-25, DV
    l[31] = mod10_char(l + 21, 10);
    l[32] = b[4];                     // field 4: the barcode DV
    std::memcpy(l + 33, b + 5, 14);   // field 5: factor and amount
    return linha;
}

// A pure rearrangement: the field DVs are not checked here (valid_linha does that).
std::optional<std::string> barcode_from_linha(std::string_view linha47)
{
    if (linha47.size() != k_linha_length || !all_digits(linha47)) {
        return std::nullopt;
    }
    const char* l = linha47.data();
    std::string barcode(k_barcode_length, '0');
    char* b = barcode.data();
    std::memcpy(b, l, 4);
    b[4] = l[32];
    std::memcpy(b + 5, l + 33, 14);
    std::memcpy(b + 19, l + 4, 5);
    std::memcpy(b + 24, l + 10, 10);
    std::memcpy(b + 34, l + 21, 10);
    return barcode;
}

// An input that is not 47 characters comes back unchanged.
std::string format_linha(std::string_view linha47)
{
    if (linha47.size() != k_linha_length) {
        return std::string(linha47);
    }
    std::string out;
    out.reserve(k_linha_length + 7);
    out.append(linha47.substr(0, 5)).append(1, '.').append(linha47.substr(5, 5)).append(1, ' ');
    out.append(linha47.substr(10, 5)).append(1, '.').append(linha47.substr(15, 6)).append(1, ' ');
    out.append(linha47.substr(21, 5)).append(1, '.').append(linha47.substr(26, 6)).append(1, ' ');
    out.append(linha47.substr(32, 1)).append(1, ' ').append(linha47.substr(33, 14));
    return out;
}

bool valid_barcode(std::string_view barcode44)
{
    return barcode44.size() == k_barcode_length && all_digits(barcode44) &&
           barcode44[4] - '0' == barcode_dv_skipping(barcode44.data());
}

bool valid_linha(std::string_view linha47)
{
    if (linha47.size() != k_linha_length || !all_digits(linha47)) {
        return false;
    }
    const char* l = linha47.data();
    if (l[9] != mod10_char(l, 9) || l[20] != mod10_char(l + 10, 10) || l[31] != mod10_char(l + 21, 10)) {
        return false;
    }
    const std::optional<std::string> barcode = barcode_from_linha(linha47);
    return barcode && valid_barcode(*barcode);
}

}  // namespace billrun::boleto
