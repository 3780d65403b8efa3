#pragma once
// Applying bank records that did not come from a file (the banks' APIs, confirmed webhooks)
// through the same matching and exactly-once rule as retorno records.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <billrun/bankapi/bankapi.hpp>
#include <billrun/cnab/retorno.hpp>
#include <billrun/ledger/payments.hpp>
#include <billrun/reconcile/reconcile.hpp>

namespace billrun::reconcile {

struct BankRecord {
    std::string source;  // "bank:<account>", or the webhook file
    std::string record;  // the bank's id of the record, or the place in the file
    std::string key;     // the record's identity: never applied twice
    std::string bank;    // "001"
    cnab::RetornoRecord ret;
};

// What a run against a bank's API found, before anything is applied.
struct BankFindings {
    std::vector<BankRecord> records;              // the bank says paid: applied like retorno records
    std::vector<ledger::Payment> unconfirmed;     // hints the bank did not confirm: reported, never applied
    std::int64_t ignored = 0;
};

// A boleto the bank says was paid, as a retorno record of occurrence "paid".
BankRecord paid_record(const config::BankAccount& account, const bankapi::PaidTitle& title, std::string source,
                       std::string record);

// Inside the caller's transaction: the records applied, the unconfirmed reported (status
// unmatched). Errors: busy, internal.
Result<Counts> apply_bank_findings(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                   std::int64_t run, const BankFindings& findings, const PaymentSink& sink);

// A reconcile run that asks a bank: the run recorded and committed first (so a token renewed
// meanwhile has its event), `find` called with no transaction open (the network is never
// waited on with the ledger locked, except in a dry run, which writes nothing), then its
// findings applied in one transaction. Errors: those of `find` (the run is finished
// "failed", nothing applied), busy, internal.
Result<Summary> run_against_bank(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                 const std::string& command,
                                 const std::function<Result<BankFindings>(std::int64_t run)>& find,
                                 const PaymentSink& sink);

// The account `id` if it registers through a bank API. Errors: usage.
Result<const config::BankAccount*> api_account(const config::Config& config, const std::string& id,
                                               std::string_view option);

}  // namespace billrun::reconcile
