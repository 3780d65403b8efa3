#include <billrun/core/late.hpp>

namespace billrun {

Centavos interest_per_day(Centavos net, Rate percent_month)
{
    return div_round_half_even(net * percent_month, 30 * 10000);
}

LateCharges late_charges(Centavos net, Date due, Date on, Rate fine_percent, Rate interest_percent_month)
{
    LateCharges out;
    if (on <= due || net <= 0) {
        return out;
    }
    out.days_overdue = days_between(due, on);
    out.fine = apply_rate(net, fine_percent);
    out.interest = interest_per_day(net, interest_percent_month) * out.days_overdue;
    return out;
}

}  // namespace billrun
