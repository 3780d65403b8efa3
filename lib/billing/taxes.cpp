#include <billrun/billing/taxes.hpp>

namespace billrun::billing {

namespace {

Centavos withholding(Centavos gross, Rate rate, Centavos minimum)
{
    const Centavos amount = apply_rate(gross, rate);
    return amount < minimum ? 0 : amount;
}

}  // namespace

Totals compute_totals(const std::vector<TaxLine>& lines, bool iss_withheld,
                      bool company_customer, const WithholdingRates& rates)
{
    Totals totals;
    totals.iss_withheld = iss_withheld;
    for (const TaxLine& line : lines) {
        totals.gross += line.amount;
        totals.iss += apply_rate(line.amount, line.iss_rate);
    }
    if (company_customer) {
        totals.pis = withholding(totals.gross, rates.pis, rates.minimum);
        totals.cofins = withholding(totals.gross, rates.cofins, rates.minimum);
        totals.csll = withholding(totals.gross, rates.csll, rates.minimum);
        totals.irrf = withholding(totals.gross, rates.irrf, rates.minimum);
        totals.inss = withholding(totals.gross, rates.inss, rates.minimum);
    }
    totals.withheld = (iss_withheld ? totals.iss : 0) + totals.pis + totals.cofins +
                      totals.csll + totals.irrf + totals.inss;
    totals.net = totals.gross - totals.withheld;
    return totals;
}

Centavos prorate(Centavos full_amount, std::int32_t days_served, std::int32_t days_full)
{
    if (days_full <= 0 || days_served >= days_full) {
        return full_amount;
    }
    if (days_served <= 0) {
        return 0;
    }
    // |full_amount| * days_served may pass int64; the result never does (served < full).
    // Split full_amount = q * days_full + r so every product stays in range.
    const std::int64_t q = full_amount / days_full;
    const std::int64_t r = full_amount % days_full;  // |r| < days_full, same sign as full
    const std::int64_t n = r * days_served;           // |n| < 2^62
    std::int64_t quotient = q * days_served + n / days_full;
    const std::int64_t rest = n % days_full;
    const std::int64_t twice = 2 * (rest < 0 ? -rest : rest);
    if (twice > days_full || (twice == days_full && quotient % 2 != 0)) {
        quotient += full_amount < 0 ? -1 : 1;
    }
    return quotient;
}

}  // namespace billrun::billing
