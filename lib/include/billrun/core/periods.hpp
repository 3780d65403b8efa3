#pragma once
// Contract periods (SPEC §4): a contract starting on S with cycle C has periods
// [S + kC, S + (k+1)C). Month-based cycles are anchored on S's day and clamped to the
// month's end, never drifting. Pure functions: no clock, no ledger.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/date.hpp>

namespace billrun {

enum class CycleUnit { days, months };

struct Cycle {
    CycleUnit unit = CycleUnit::months;
    int count = 1;  // weekly = 7 days; monthly 1, quarterly 3, semiannual 6, annual 12 months
    auto operator<=>(const Cycle&) const = default;
};

// English or Portuguese, case and accents ignored: weekly/semanal, monthly/mensal,
// quarterly/trimestral, semiannual/semestral, annual/anual/yearly, "every N days",
// "a cada N dias" (N >= 1). Also bimonthly/bimestral (2 months).
std::optional<Cycle> parse_cycle(std::string_view text);
// Canonical form: "weekly", "monthly", "quarterly", "semiannual", "annual", "every N days"
// (a months cycle of another length prints as "every N months").
std::string format_cycle(Cycle cycle);

enum class BillingMode { advance, arrears };
// "advance"/"antecipado"/"pre"/"prepaid"; "arrears"/"postecipado"/"pos"/"postpaid".
std::optional<BillingMode> parse_billing_mode(std::string_view text);

struct Period {
    std::int64_t index = 0;  // k
    Date start;              // S + kC
    Date end;                // last day served: min(S + (k+1)C - 1, contract end)
    Date full_end;           // S + (k+1)C - 1, the end had the contract not ended
    bool partial() const { return end != full_end; }
    std::int32_t days_served() const { return days_between(start, end) + 1; }
    std::int32_t days_full() const { return days_between(start, full_end) + 1; }
};

// The start of period k.
Date period_start(Date contract_start, Cycle cycle, std::int64_t k);

// Period k, or nullopt when it starts after the contract's end (last day of service).
std::optional<Period> period_at(Date contract_start, Cycle cycle, std::int64_t k,
                                std::optional<Date> contract_end);

// The date a period is billed on: its start in advance billing, its end in arrears.
Date billing_date(const Period& period, BillingMode mode);

// Every period from index `first` on whose billing date is on or before `as_of` (and that
// starts on or before the contract end), in order. `limit` bounds the count (a safety net
// against absurd data; 0 = no limit).
std::vector<Period> due_periods(Date contract_start, Cycle cycle, BillingMode mode,
                                std::optional<Date> contract_end, std::int64_t first,
                                Date as_of, std::size_t limit = 0);

}  // namespace billrun
