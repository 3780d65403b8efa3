#pragma once
// `billrun reconcile FILE...` (SPEC §8): CNAB 240/400 retornos, OFX and CSV statements ->
// payments, applied to invoices exactly once (a file by its content hash, a bank record by
// its identity), in one transaction: a file that cannot be read changes nothing.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::reconcile {

struct Counts {
    std::int64_t applied = 0;
    std::int64_t confirmed = 0;
    std::int64_t written_off = 0;
    std::int64_t unmatched = 0;
    std::int64_t ambiguous = 0;
    std::int64_t rejected = 0;
    std::int64_t duplicate = 0;
    std::int64_t ignored = 0;        // other occurrences, statement debits
    std::int64_t files = 0;
    std::int64_t files_skipped = 0;  // already reconciled
};

struct Summary {
    std::int64_t run = 0;
    Counts counts;
    std::vector<std::string> skipped;  // files already reconciled
    std::string started;
    std::string finished;
};

// Receives each `payment` document as soon as it is computed.
using PaymentSink = std::function<void(const io::Map& payment)>;

// Errors: no_input (a file missing), data_invalid (a file that cannot be read: nothing
// applied), busy, internal.
Result<Summary> run_reconcile(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                              const std::vector<std::string>& files, const PaymentSink& sink);

// `reconcile --bank ACCOUNT --since DATE` (SPEC §6a): the boletos the bank's API lists as paid
// from `since` to the business date, every page, applied like retorno records (a record's
// identity: bank, nosso número, payment date and amount). Errors: usage (no such account, or
// not one with registration: api), config (credentials), unavailable (the bank did not
// answer: nothing applied), data_invalid (an answer that cannot be read: nothing applied).
Result<Summary> run_reconcile_bank(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                   const std::string& account, Date since, const PaymentSink& sink);

io::Map reconcile_run_document(const Summary& summary, const RunContext& ctx);

}  // namespace billrun::reconcile
