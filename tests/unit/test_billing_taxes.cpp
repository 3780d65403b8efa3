#include <catch2/catch.hpp>

#include <limits>

#include <billrun/billing/taxes.hpp>

using billrun::Centavos;
using namespace billrun::billing;

namespace {

// The sample config of SPEC §2a: PIS 0.65, COFINS 3.00, CSLL 1.00, IRRF 1.50, INSS 0,
// minimum R$ 10.00.
WithholdingRates sample_rates()
{
    WithholdingRates rates;
    rates.pis = 65;
    rates.cofins = 300;
    rates.csll = 100;
    rates.irrf = 150;
    rates.inss = 0;
    rates.minimum = 1000;
    return rates;
}

}  // namespace

TEST_CASE("compute_totals")
{
    const WithholdingRates none;
    SECTION("no lines")
    {
        const Totals t = compute_totals({}, true, true, sample_rates());
        CHECK(t.gross == 0);
        CHECK(t.iss == 0);
        CHECK(t.withheld == 0);
        CHECK(t.net == 0);
    }
    SECTION("ISS rounds half to even per line")
    {
        // 25 centavos at 2.00% = 0.5 -> 0; 75 at 2.00% = 1.5 -> 2; 125 at 2% = 2.5 -> 2.
        CHECK(compute_totals({{25, 200}}, false, false, none).iss == 0);
        CHECK(compute_totals({{75, 200}}, false, false, none).iss == 2);
        CHECK(compute_totals({{125, 200}}, false, false, none).iss == 2);
        CHECK(compute_totals({{175, 200}}, false, false, none).iss == 4);
    }
    SECTION("ISS is the sum of rounded lines, not the rounded sum")
    {
        // Each line: 0.5 -> 0; the sum 100 * 2% = 2 would differ.
        const Totals t = compute_totals({{25, 200}, {25, 200}, {25, 200}, {25, 200}}, false,
                                        false, none);
        CHECK(t.gross == 100);
        CHECK(t.iss == 0);
        // 75 -> 1.5 -> 2, twice: 4, where 150 * 2% = 3.
        CHECK(compute_totals({{75, 200}, {75, 200}}, false, false, none).iss == 4);
    }
    SECTION("lines with their own rates")
    {
        const Totals t = compute_totals({{100000, 200}, {50000, 500}, {12345, 0}}, false,
                                        false, none);
        CHECK(t.gross == 162345);
        CHECK(t.iss == 2000 + 2500);
        CHECK(t.withheld == 0);
        CHECK(t.net == t.gross);
    }
    SECTION("ISS withheld adds to withheld")
    {
        const Totals t = compute_totals({{100000, 200}}, true, false, none);
        CHECK(t.iss_withheld);
        CHECK(t.iss == 2000);
        CHECK(t.withheld == 2000);
        CHECK(t.net == 98000);
        CHECK_FALSE(compute_totals({{100000, 200}}, false, false, none).iss_withheld);
    }
    SECTION("federal withholdings for a company customer")
    {
        const Totals t = compute_totals({{1000000, 200}}, false, true, sample_rates());
        CHECK(t.gross == 1000000);
        CHECK(t.pis == 6500);
        CHECK(t.cofins == 30000);
        CHECK(t.csll == 10000);
        CHECK(t.irrf == 15000);
        CHECK(t.inss == 0);
        CHECK(t.withheld == 6500 + 30000 + 10000 + 15000);
        CHECK(t.net == t.gross - t.withheld);
    }
    SECTION("federal withholdings are on gross, half to even")
    {
        WithholdingRates rates;
        rates.pis = 65;
        // 10050 * 0.65% = 65.325 -> 65; 10100 * 0.65% = 65.65 -> 66.
        CHECK(compute_totals({{10050, 0}}, false, true, rates).pis == 65);
        CHECK(compute_totals({{10100, 0}}, false, true, rates).pis == 66);
        // 1000 * 1.50% = 15; 1100 * 1.50% = 16.5 -> 16; 1300 * 1.50% = 19.5 -> 20.
        rates.irrf = 150;
        CHECK(compute_totals({{1100, 0}}, false, true, rates).irrf == 16);
        CHECK(compute_totals({{1300, 0}}, false, true, rates).irrf == 20);
        // Gross, not the sum of per-line withholdings: 2 * 1100 -> 33.
        CHECK(compute_totals({{1100, 0}, {1100, 0}}, false, true, rates).irrf == 33);
    }
    SECTION("a withholding below the minimum is skipped, each on its own")
    {
        // Gross R$ 1000.00: PIS 6.50 (< 10, skipped), COFINS 30.00, CSLL 10.00 (= minimum,
        // kept), IRRF 15.00.
        const Totals t = compute_totals({{100000, 200}}, false, true, sample_rates());
        CHECK(t.pis == 0);
        CHECK(t.cofins == 3000);
        CHECK(t.csll == 1000);
        CHECK(t.irrf == 1500);
        CHECK(t.withheld == 5500);
        CHECK(t.net == 94500);
        // Gross R$ 999.99: CSLL 9.9999 -> 10.00 after rounding, so it is not below.
        CHECK(compute_totals({{99999, 0}}, false, true, sample_rates()).csll == 1000);
        // Gross R$ 999.00: CSLL 9.99 < 10.00, skipped.
        CHECK(compute_totals({{99900, 0}}, false, true, sample_rates()).csll == 0);
    }
    SECTION("a CPF customer gets no federal withholding")
    {
        const Totals t = compute_totals({{1000000, 200}}, false, false, sample_rates());
        CHECK(t.pis == 0);
        CHECK(t.cofins == 0);
        CHECK(t.csll == 0);
        CHECK(t.irrf == 0);
        CHECK(t.inss == 0);
        CHECK(t.withheld == 0);
        CHECK(t.net == 1000000);
    }
    SECTION("ISS withheld and federal withholdings together")
    {
        const Totals t = compute_totals({{600000, 200}, {400000, 500}}, true, true,
                                        sample_rates());
        CHECK(t.gross == 1000000);
        CHECK(t.iss == 12000 + 20000);
        CHECK(t.withheld == 32000 + 6500 + 30000 + 10000 + 15000);
        CHECK(t.net == t.gross - t.withheld);
        CHECK(t.net == 906500);
    }
    SECTION("INSS when configured")
    {
        WithholdingRates rates = sample_rates();
        rates.inss = 1100;
        const Totals t = compute_totals({{100000, 0}}, false, true, rates);
        CHECK(t.inss == 11000);
        CHECK(t.withheld == 11000 + 3000 + 1000 + 1500);
    }
}

TEST_CASE("prorate")
{
    SECTION("exact and rounded")
    {
        CHECK(prorate(3100, 10, 31) == 1000);
        CHECK(prorate(10000, 15, 30) == 5000);
        CHECK(prorate(10000, 1, 3) == 3333);
        CHECK(prorate(10000, 2, 3) == 6667);
    }
    SECTION("half to even")
    {
        CHECK(prorate(1, 1, 2) == 0);    // 0.5
        CHECK(prorate(3, 1, 2) == 2);    // 1.5
        CHECK(prorate(5, 1, 2) == 2);    // 2.5
        CHECK(prorate(7, 1, 2) == 4);    // 3.5
        CHECK(prorate(25, 1, 10) == 2);  // 2.5
        CHECK(prorate(35, 1, 10) == 4);  // 3.5
        CHECK(prorate(-5, 1, 2) == -2);
        CHECK(prorate(-7, 1, 2) == -4);
        CHECK(prorate(-10000, 1, 3) == -3333);
    }
    SECTION("whole and empty periods")
    {
        CHECK(prorate(12345, 31, 31) == 12345);
        CHECK(prorate(12345, 0, 31) == 0);
        CHECK(prorate(12345, 40, 31) == 12345);
        CHECK(prorate(12345, -1, 31) == 0);
        CHECK(prorate(12345, 5, 0) == 12345);
    }
    SECTION("no overflow on large amounts")
    {
        const Centavos big = std::numeric_limits<Centavos>::max();
        CHECK(prorate(big, 3660, 3661) < big);
        CHECK(prorate(big, 1, 2) == big / 2 + 1);  // odd / 2 = x.5, x odd -> x + 1
        CHECK(prorate(4'000'000'000'000'000'000, 365, 366) ==
              3'989'071'038'251'366'120);  // 3989071038251366120.2...
        CHECK(prorate(-4'000'000'000'000'000'000, 365, 366) == -3'989'071'038'251'366'120);
    }
}
