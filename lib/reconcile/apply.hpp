#pragma once
// Applying bank records that did not come from a file (the banks' APIs) through the same
// matching and exactly-once rule as retorno records.
#include <cstdint>
#include <string>
#include <vector>

#include <billrun/cnab/retorno.hpp>
#include <billrun/reconcile/reconcile.hpp>

namespace billrun::reconcile {

struct BankRecord {
    std::string source;  // "bank:<account>"
    std::string record;  // the bank's id of the record
    std::string key;     // the record's identity: never applied twice
    std::string bank;    // "001"
    cnab::RetornoRecord ret;
};

// Inside the caller's transaction. Errors: busy, internal.
Result<Counts> apply_bank_records(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                  std::int64_t run, const std::vector<BankRecord>& records, const PaymentSink& sink);

}  // namespace billrun::reconcile
