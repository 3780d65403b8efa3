#pragma once
// `billrun remind` (SPEC §7): the dunning policy applied as of the business date. For each
// open invoice the latest step due (due date + offset <= date) that is not done yet is
// applied; earlier steps never done are recorded as skipped, not sent in a burst; a step is
// applied to an invoice at most once (ledger: unique (invoice, step)). Late charges as of
// the date go in the message and the `reminder` document.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <functional>
#include <string>

#include <billrun/config/config.hpp>
#include <billrun/core/context.hpp>
#include <billrun/core/error.hpp>
#include <billrun/io/document.hpp>
#include <billrun/ledger/ledger.hpp>
#include <billrun/mail/mail.hpp>

namespace billrun::dunning {

struct Counts {
    std::int64_t sent = 0;     // e-mails taken by the server or the outbox
    std::int64_t letters = 0;  // letter PDFs written
    std::int64_t done = 0;     // steps with channel none (the stage moved)
    std::int64_t skipped = 0;
    std::int64_t failed = 0;   // tried again by the next run
    std::int64_t overdue = 0;  // invoices that became overdue with no step to apply
    std::int64_t stale = 0;    // steps a dead run left pending
};

struct Summary {
    std::int64_t run = 0;
    Counts counts;
    bool remote_failed = false;  // the mail server could not be reached or refused for now
    std::string started;
    std::string finished;
};

// The boleto's own PDF for an invoice (nullopt: it has no boleto), from the layer that knows
// how boletos are drawn: never a file shared with other payers' boletos.
using BoletoPdf = std::function<Result<std::optional<std::filesystem::path>>(std::int64_t invoice)>;

struct Delivery {
    mail::Sender* sender = nullptr;  // the outbox or SMTP
    bool smtp = false;               // SMTP: each message is marked handed over (committed) before it goes
    BoletoPdf boleto_pdf;            // attached to e-mails about an invoice with a boleto
};

using ReminderSink = std::function<void(const io::Map& reminder)>;

// Errors: busy, internal, remote only for what stops the whole run (a failed message is a
// `failed` reminder, not an error).
Result<Summary> run_remind(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                           const Delivery& delivery, const ReminderSink& sink);

io::Map remind_run_document(const Summary& summary, const RunContext& ctx);

}  // namespace billrun::dunning
