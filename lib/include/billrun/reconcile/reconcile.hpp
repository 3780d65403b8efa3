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
#include <billrun/ledger/payments.hpp>

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

// A bank record as reconcile reports it: the payment, what became of it (applied, duplicate,
// unmatched...), the invoice it names ("A-000123", or empty).
struct PaymentOutcome {
    ledger::Payment payment;
    std::string status;
    std::string invoice_id;
};

// Its `payment` document.
io::Map payment_document(const PaymentOutcome& outcome);

// Receives each payment as soon as it is decided, to keep as its document (payment_document);
// it may hand it to another thread to build and write.
using PaymentSink = std::function<void(PaymentOutcome payment)>;

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

// `reconcile --webhook FILE... [--bank ACCOUNT]` (SPEC §6a): saved webhook payloads (the
// bodies the bank sent) read as hints, never as payments: every file is parsed first (a bad
// one: nothing asked, nothing written), then each hinted boleto is asked of the bank once and
// applied only when the bank says it is paid, with the bank's amount and date, under the
// retorno's exactly-once rule. A hint the bank does not confirm (unknown boleto, not paid, a
// different amount, no account with the payload's convênio) is reported as unmatched.
// Without --bank, the accounts with registration: api of the one provider that has
// webhooks. Errors: no_input, data_invalid "file: place: message", usage (no such account,
// or several providers and no --bank), config, unavailable (nothing applied).
Result<Summary> run_reconcile_webhooks(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                       const std::vector<std::string>& files, const std::string& account,
                                       const PaymentSink& sink);

io::Map reconcile_run_document(const Summary& summary, const RunContext& ctx);

}  // namespace billrun::reconcile
