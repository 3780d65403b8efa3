#pragma once
// What `remind` keeps: one row per (invoice, dunning step), written 'sent' once the message
// was taken (over SMTP, claimed 'pending' before it goes out); the collection stage of each
// invoice.
// Call the writers inside a WriteTransaction.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>
#include <billrun/ledger/boletos.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

// Collection stages in the order an invoice goes through them (the rank is the index).
inline constexpr std::string_view k_stages[] = {"created", "sent", "due-date-set", "reminded",
                                                "overdue", "reminded-again", "in-collection"};
int stage_rank(std::string_view stage);  // -1 when unknown

// An open invoice as the dunning policy sees it.
struct DunningInvoice {
    std::int64_t invoice = 0;
    Date due_date;
    Centavos net = 0;
    Centavos balance = 0;
    std::optional<int> last_done;  // the latest step (offset) sent, skipped or of unknown outcome
    int stage_rank = 0;
};

// Open invoices (issued, partly paid) due on or before `due_by`, key > after, in key order.
Result<std::vector<DunningInvoice>> dunning_invoices(Ledger& ledger, std::int64_t after, Date due_by, int limit);

// What a message about an invoice says.
struct DunningDetail {
    std::int64_t invoice = 0;
    std::string invoice_id;  // "A-000123"
    std::string status;      // the invoice's
    Date issue_date;
    Date due_date;
    Centavos net = 0;
    Centavos balance = 0;
    Payer customer;          // id, name, tax id, e-mail and address
    std::string linha_digitavel;  // empty: no boleto
    std::string pix;
    std::string nfse_number;      // of the authorized NFS-e, if any
    std::string contract_template;  // the contract's `template` (auto-send), if any
};
Result<std::optional<DunningDetail>> dunning_detail(Ledger& ledger, std::int64_t invoice);

struct Reminder {
    std::int64_t invoice = 0;
    int step = 0;
    std::string action;
    std::string channel;
    std::string status;  // pending | sent | skipped | failed | unknown
    Date business_date;
    Centavos amount_due = 0;
    Centavos fine = 0;
    Centavos interest = 0;
    std::string message;
    std::string error;
};

// Takes the step for this run: inserts it 'pending', or turns a failed attempt back to
// pending. False when another run has it already (sent, skipped, pending, unknown).
Result<bool> claim_reminder(Ledger& ledger, std::int64_t run, const Reminder& r);
// Records a step missed while no run happened (or a failed one a later step supersedes).
// False when it was done already.
Result<bool> skip_reminder(Ledger& ledger, std::int64_t run, const Reminder& r);

// What one remind run did to one invoice: the step applied and its outcome, the earlier steps
// it skipped (when they are recorded with the outcome, not at a claim) and the stage it moves to.
struct StepOutcome {
    Reminder reminder;              // status sent, failed or unknown; message or error
    bool claimed = false;           // its row is this run's 'pending' claim (SMTP); else inserted here
    std::vector<Reminder> skipped;  // earlier steps missed, recorded here as skipped
    std::string stage;              // where the collection stage moves (never back); empty: nowhere
};
struct StepRecorded {
    bool step = false;          // false: the step was done already (sent, skipped or unknown): nothing written
    std::vector<bool> skipped;  // for each skipped step, whether it was recorded (false: done already)
};
// Records an outcome: the step's row (inserted, or over its claim or a failed attempt), the
// skipped steps' rows, the stage, and one event on the invoice naming all of them ("reminded"
// or "reminder-<status>", detail "step 1 (reminder, email): <message>; skipped step -3
// (reminder, email); stage overdue").
Result<StepRecorded> record_step(Ledger& ledger, std::int64_t run, const StepOutcome& outcome);
// A claimed e-mail step is about to be handed to the SMTP server: committed on its own
// before the message goes, so a run killed mid-page leaves only this one of unknown outcome.
Result<void> mark_reminder_handed(Ledger& ledger, std::int64_t invoice, int step);
// Steps left 'pending' by a run that died: an e-mail marked handed to the SMTP server may have
// reached the customer (unknown: never sent twice); the others, never handed over (or an
// outbox file, a letter), are done again (failed: retried).
Result<std::int64_t> settle_stale_reminders(Ledger& ledger);
// Moves the invoice's collection stage forward (never back).
Result<void> advance_stage(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view stage,
                           Date since);

}  // namespace billrun::ledger
