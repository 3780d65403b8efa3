#pragma once
// Invoice totals (SPEC §4): ISS per line rate, ISS withheld when the customer or contract
// says so, federal withholdings for CNPJ customers. Integer centavos, half-to-even rounding.
#include <vector>

#include <billrun/core/money.hpp>

namespace billrun::billing {

struct TaxLine {
    Centavos amount = 0;  // already rounded line amount
    Rate iss_rate = 0;    // hundredths of a percent
};

struct WithholdingRates {
    Rate pis = 0, cofins = 0, csll = 0, irrf = 0, inss = 0;
    Centavos minimum = 0;  // a withholding below this amount is not withheld
};

struct Totals {
    Centavos gross = 0;     // sum of the lines
    Centavos iss = 0;       // sum of each line's rounded ISS
    bool iss_withheld = false;
    Centavos pis = 0, cofins = 0, csll = 0, irrf = 0, inss = 0;  // withheld amounts (0 if skipped)
    Centavos withheld = 0;  // ISS when withheld + federal withholdings
    Centavos net = 0;       // gross - withheld: what the customer pays
};

// Federal withholdings apply only when `company_customer` (a CNPJ); each one is computed on
// gross, rounded half to even, and skipped (0) when below `rates.minimum`.
Totals compute_totals(const std::vector<TaxLine>& lines, bool iss_withheld,
                      bool company_customer, const WithholdingRates& rates);

// Prorates a full-period amount by days served / days in the full period, half to even.
Centavos prorate(Centavos full_amount, std::int32_t days_served, std::int32_t days_full);

}  // namespace billrun::billing
