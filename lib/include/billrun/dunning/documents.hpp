#pragma once
// Auto-send (SPEC §6): when a contract says so, the customer gets each document of an
// invoice by e-mail once: the boleto (its own PDF) and the authorized NFS-e (its XML).
// issue-boleto and emit-nfse queue them in the transaction that makes them (see
// ledger/deliveries.hpp); this sends what is queued, or failed before, after their work.
// The documents of one invoice that wait together go in one message. A row is claimed
// 'pending' before its message goes out and 'sent' after the server or the outbox took it;
// the caller holds the "deliver" stage lock (ledger/stage_lock.hpp) for the whole send, so a
// row found pending at the start belongs to a run that died: over SMTP its outcome is
// unknown and it is not sent again; an outbox file is simply written again.
#include <cstdint>
#include <string>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/dunning/remind.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::dunning {

struct DocumentCounts {
    std::int64_t sent = 0;     // messages taken by the server or the outbox
    std::int64_t failed = 0;   // messages not sent: tried again by the next run
    std::int64_t dropped = 0;  // documents no longer to send (invoice cancelled, or paid before its boleto went)
    std::int64_t stale = 0;    // documents a dead run left pending
};

struct DocumentSummary {
    std::int64_t run = 0;
    DocumentCounts counts;
    bool remote_failed = false;  // the mail server could not be reached or refused for now
    std::string started;
    std::string finished;
};

// Errors: busy, internal, config (a template that cannot be read).
Result<DocumentSummary> send_documents(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                       const Delivery& delivery);

io::Map documents_run_document(const DocumentSummary& summary, const RunContext& ctx);

}  // namespace billrun::dunning
