#pragma once
// Late charges (SPEC §7): on the invoice's net, as of a date. A fine (multa) of
// boleto.fine_percent, once, from the day after the due date; interest (juros de mora) of
// boleto.interest_percent_month pro rata die: the daily amount (net x percent / 30, half to
// even, the "juros por dia" a boleto prints) times the days past due.
#include <cstdint>

#include <billrun/core/date.hpp>
#include <billrun/core/money.hpp>

namespace billrun {

struct LateCharges {
    std::int32_t days_overdue = 0;  // 0 on or before the due date
    Centavos fine = 0;
    Centavos interest = 0;
    Centavos total() const { return fine + interest; }
};

// The daily interest a boleto prints ("juros de mora de R$ x por dia").
Centavos interest_per_day(Centavos net, Rate percent_month);

LateCharges late_charges(Centavos net, Date due, Date on, Rate fine_percent, Rate interest_percent_month);

}  // namespace billrun
