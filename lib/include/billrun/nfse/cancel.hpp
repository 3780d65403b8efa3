#pragma once
// `billrun cancel` (SPEC §1, §5): cancels an issued invoice. Its NFS-e, when the authority
// authorized it, is cancelled first by the signed event 101101 (pedRegEvento, validated
// against the official XSD, stored before it is sent, sent once); an NFS-e never authorized
// needs no event. Then the invoice is cancelled and its boleto marked for write-off.
#include <cstdint>
#include <optional>
#include <string>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/cancel.hpp>
#include <billrun/ledger/ledger.hpp>
#include <billrun/ledger/nfse.hpp>

namespace billrun::nfse {

struct CancelOptions {
    std::string invoice;                  // its id ("A-000123"), or its key
    int code = 0;                         // cMotivo: 1, 2 or 9
    std::string reason;                   // free text; cancel_reason() rules
    std::optional<std::string> password;  // the certificate's (from nfse.password_env)
    std::string app_version = "billrun";  // verAplic
    int backoff_ms = 500;                 // first wait before a retry
};

enum class CancelResult {
    cancelled,          // now cancelled (with the event registered, or none needed)
    already_cancelled,  // nothing changed
    event_signed,       // offline (or a dry run): the event is signed and waits to be sent
    rejected,           // the authority refused the event: the invoice stays issued
    unusable_answer,    // an answer that cannot be used: the event stays signed
    unavailable,        // no answer after the retries: the event stays signed
};

struct CancelOutcome {
    CancelResult result = CancelResult::cancelled;
    std::int64_t invoice = 0;  // key
    std::string invoice_id;
    std::optional<ledger::NfseRecord> nfse;
    std::optional<ledger::NfseEvent> event;
    ledger::CancelEffects effects;
    std::string message;       // the authority's refusal, or why nothing came
};

// Errors, all before the ledger changes: usage (a code other than 1, 2, 9; a reason the
// layout cannot take), data_invalid (no such invoice, a draft, an invoice that received
// payments, a DPS sent but never answered while offline), config (the certificate, the
// company's tax id), unavailable (the authority cannot be asked whether a DPS sent without
// an answer became an NFS-e); busy, internal.
Result<CancelOutcome> cancel_invoice(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                     const CancelOptions& options);

// The `nfse` document (SPEC §12) of a row, with its cancellation event when there is one:
// `cancellation` (event, id, code, reason, status, xml, event_xml, attempts, error) and,
// while the event is refused or unsent, its `error`.
io::Map nfse_full_document(const ledger::NfseRecord& record, const std::optional<ledger::NfseEvent>& event,
                           bool dry_run);

}  // namespace billrun::nfse
