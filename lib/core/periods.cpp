#include <billrun/core/periods.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <limits>

#include <billrun/core/text.hpp>

namespace billrun {

namespace {

constexpr int k_max_cycle_days = 3660;
constexpr int k_max_cycle_months = 120;

// Offsets far past any real date; clamping to them keeps absurd indexes free of overflow
// (the dates they give lie beyond any business date, so due_periods stops there).
constexpr std::int64_t k_max_offset_days = 3'000'000;
constexpr std::int64_t k_max_offset_months = 100'000;

bool valid_cycle(Cycle cycle)
{
    if (cycle.unit == CycleUnit::days) {
        return cycle.count >= 1 && cycle.count <= k_max_cycle_days;
    }
    return cycle.count >= 1 && cycle.count <= k_max_cycle_months;
}

std::int64_t clamped_offset(std::int64_t count, std::int64_t k, std::int64_t bound)
{
    // With |k| <= bound and count an int, count * k stays well inside int64.
    if (k > bound) {
        return bound;
    }
    if (k < -bound) {
        return -bound;
    }
    return std::clamp(count * k, -bound, bound);
}

bool one_of(std::string_view word, std::initializer_list<std::string_view> names)
{
    return std::find(names.begin(), names.end(), word) != names.end();
}

std::vector<std::string_view> split_words(std::string_view text)
{
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
            ++i;
        }
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t') {
            ++j;
        }
        if (j > i) {
            words.push_back(text.substr(i, j - i));
        }
        i = j;
    }
    return words;
}

std::optional<int> parse_count(std::string_view digits)
{
    if (digits.empty() || digits.size() > 6 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int value = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || ptr != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return value;
}

// "every N days|weeks|months", "a cada N dias|semanas|meses" (and "cada N ...").
std::optional<Cycle> parse_every(std::string_view text)
{
    const std::vector<std::string_view> words = split_words(text);
    std::size_t n = 0;
    if (words.size() == 3 && one_of(fold_key(words[0]), {"every", "cada"})) {
        n = 1;
    } else if (words.size() == 4 && fold_key(words[0]) == "a" && fold_key(words[1]) == "cada") {
        n = 2;
    } else {
        return std::nullopt;
    }
    std::optional<int> count = parse_count(words[n]);
    if (!count || *count < 1) {
        return std::nullopt;
    }
    const std::string unit = fold_key(words[n + 1]);
    Cycle cycle;
    if (one_of(unit, {"day", "days", "dia", "dias"})) {
        cycle = Cycle{CycleUnit::days, *count};
    } else if (one_of(unit, {"week", "weeks", "semana", "semanas"})) {
        cycle = Cycle{CycleUnit::days, *count * 7};
    } else if (one_of(unit, {"month", "months", "mes", "meses"})) {
        cycle = Cycle{CycleUnit::months, *count};
    } else {
        return std::nullopt;
    }
    if (!valid_cycle(cycle)) {
        return std::nullopt;
    }
    return cycle;
}

Period make_period(std::int64_t k, Date start, Date next_start, std::optional<Date> contract_end)
{
    Period period;
    period.index = k;
    period.start = start;
    period.full_end = next_start.add_days(-1);
    period.end = period.full_end;
    if (contract_end && *contract_end < period.end) {
        period.end = *contract_end;
    }
    return period;
}

}  // namespace

std::optional<Cycle> parse_cycle(std::string_view text)
{
    text = trim(text);
    const std::string key = fold_key(text);
    struct Name {
        std::string_view name;
        Cycle cycle;
    };
    static constexpr std::array<Name, 15> k_names{{
        {"weekly", {CycleUnit::days, 7}},
        {"semanal", {CycleUnit::days, 7}},
        {"monthly", {CycleUnit::months, 1}},
        {"mensal", {CycleUnit::months, 1}},
        {"bimonthly", {CycleUnit::months, 2}},
        {"bimestral", {CycleUnit::months, 2}},
        {"quarterly", {CycleUnit::months, 3}},
        {"trimestral", {CycleUnit::months, 3}},
        {"semiannual", {CycleUnit::months, 6}},  // also "semi-annual"
        {"semiannually", {CycleUnit::months, 6}},
        {"semestral", {CycleUnit::months, 6}},
        {"annual", {CycleUnit::months, 12}},
        {"annually", {CycleUnit::months, 12}},
        {"anual", {CycleUnit::months, 12}},
        {"yearly", {CycleUnit::months, 12}},
    }};
    for (const Name& entry : k_names) {
        if (key == entry.name) {
            return entry.cycle;
        }
    }
    return parse_every(text);
}

std::string format_cycle(Cycle cycle)
{
    if (cycle.unit == CycleUnit::days) {
        if (cycle.count == 7) {
            return "weekly";
        }
        return "every " + std::to_string(cycle.count) + " days";
    }
    switch (cycle.count) {
    case 1:
        return "monthly";
    case 3:
        return "quarterly";
    case 6:
        return "semiannual";
    case 12:
        return "annual";
    default:
        return "every " + std::to_string(cycle.count) + " months";
    }
}

std::optional<BillingMode> parse_billing_mode(std::string_view text)
{
    const std::string key = fold_key(trim(text));
    if (one_of(key, {"advance", "inadvance", "antecipado", "pre", "prepaid", "prepago",
                     "adiantado"})) {
        return BillingMode::advance;
    }
    if (one_of(key, {"arrears", "inarrears", "postecipado", "pos", "postpaid", "pospago",
                     "vencido"})) {
        return BillingMode::arrears;
    }
    return std::nullopt;
}

Date period_start(Date contract_start, Cycle cycle, std::int64_t k)
{
    if (cycle.unit == CycleUnit::days) {
        const std::int64_t offset = clamped_offset(cycle.count, k, k_max_offset_days);
        return contract_start.add_days(static_cast<std::int32_t>(offset));
    }
    const std::int64_t months = clamped_offset(cycle.count, k, k_max_offset_months);
    return Date::anchored(contract_start, static_cast<int>(months));
}

std::optional<Period> period_at(Date contract_start, Cycle cycle, std::int64_t k,
                                std::optional<Date> contract_end)
{
    if (k < 0 || !valid_cycle(cycle)) {
        return std::nullopt;
    }
    const Date start = period_start(contract_start, cycle, k);
    if (contract_end && start > *contract_end) {
        return std::nullopt;
    }
    return make_period(k, start, period_start(contract_start, cycle, k + 1), contract_end);
}

Date billing_date(const Period& period, BillingMode mode)
{
    return mode == BillingMode::advance ? period.start : period.end;
}

std::vector<Period> due_periods(Date contract_start, Cycle cycle, BillingMode mode,
                                std::optional<Date> contract_end, std::int64_t first,
                                Date as_of, std::size_t limit)
{
    std::vector<Period> due;
    if (!valid_cycle(cycle)) {
        return due;
    }
    std::int64_t k = std::max<std::int64_t>(first, 0);
    Date start = period_start(contract_start, cycle, k);
    // Every billing date is on or after its period's start.
    while (start <= as_of && (!contract_end || start <= *contract_end)) {
        if (k == std::numeric_limits<std::int64_t>::max()) {
            break;
        }
        const Date next_start = period_start(contract_start, cycle, k + 1);
        if (next_start <= start) {
            break;  // saturated far past any real date
        }
        Period period = make_period(k, start, next_start, contract_end);
        if (billing_date(period, mode) > as_of) {
            break;
        }
        due.push_back(period);
        if (limit != 0 && due.size() >= limit) {
            break;
        }
        start = next_start;
        ++k;
    }
    return due;
}

}  // namespace billrun
