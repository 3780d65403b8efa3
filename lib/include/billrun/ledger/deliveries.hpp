#pragma once
// Documents e-mailed to the customer when the contract says auto-send (SPEC §6): a row per
// (invoice, document), ever. Queued in the transaction that made the document, claimed
// 'pending' before a message carrying it goes out, 'sent' after the server or the outbox
// took it. Call the writers inside a WriteTransaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

// What is e-mailed: "boleto" (its PDF) or "nfse" (the authorized NFS-e's XML).
struct DeliveryRow {
    std::int64_t key = 0;
    std::int64_t invoice = 0;
    std::string document;
    std::string status;  // queued | pending | sent | failed | unknown
    std::string message; // the .eml written, or "smtp"
    std::string error;
};

// Queues the document for e-mail when the invoice's contract says auto_send (nothing
// otherwise, or when it is queued already). True when a row was made.
Result<bool> queue_delivery(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view document);

// Whether any row waits for a message (queued, failed, or left pending by a run).
Result<bool> has_open_deliveries(Ledger& ledger);

// A claimed row's message is about to be handed to the SMTP server: committed on its own
// before it goes, so a run killed mid-page leaves only that message of unknown outcome.
Result<void> mark_delivery_handed(Ledger& ledger, std::int64_t key);
// Rows a run left pending: one marked handed to the SMTP server may have reached the customer
// (unknown: never sent again); the others (never handed over, or an outbox file) are sent
// again (failed: retried). Their count.
Result<std::int64_t> settle_stale_deliveries(Ledger& ledger, std::int64_t run);

// Queued or failed rows of invoices > after_invoice, in invoice order, for at most `limit`
// invoices (all the rows of each).
Result<std::vector<DeliveryRow>> open_deliveries(Ledger& ledger, std::int64_t after_invoice, int limit);

// Takes a queued or failed row for this run (pending); false when another run has it.
Result<bool> claim_delivery(Ledger& ledger, std::int64_t run, std::int64_t key);
// The outcome of a claimed row: sent, failed or unknown, with where it went or why not.
Result<void> finish_delivery(Ledger& ledger, std::int64_t run, const DeliveryRow& row);

// The authorized NFS-e of an invoice: its number and the XML the authority returned.
struct AuthorizedNfse {
    std::string number;
    std::string access_key;
    std::string xml;
};
Result<std::optional<AuthorizedNfse>> authorized_nfse(Ledger& ledger, std::int64_t invoice);

// The deliveries of an invoice (for `show`), in key order.
Result<std::vector<DeliveryRow>> deliveries_of_invoice(Ledger& ledger, std::int64_t invoice);

}  // namespace billrun::ledger
