// Reminders (dunning steps applied) and collection stages.
#include <billrun/ledger/reminders.hpp>

#include <fmt/format.h>

#include "events.hpp"
#include "guard.hpp"
#include "rows.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

int stage_rank(std::string_view stage)
{
    for (std::size_t i = 0; i < std::size(k_stages); ++i) {
        if (k_stages[i] == stage) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

Result<std::vector<DunningInvoice>> dunning_invoices(Ledger& ledger, std::int64_t after, Date due_by, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT i.id, i.due_date, i.net, i.balance, "
            "(SELECT max(r.step) FROM reminders r WHERE r.invoice = i.id AND r.status IN ('sent', 'skipped', 'unknown')), "
            "coalesce((SELECT s.rank FROM collection_stages s WHERE s.invoice = i.id), 0) "
            "FROM invoices i WHERE i.id > ?1 AND i.status IN ('issued', 'partly-paid') AND i.due_date <= ?2 "
            "ORDER BY i.id LIMIT ?3");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, after).bind(2, due_by.iso()).bind(3, limit);
        std::vector<DunningInvoice> out;
        out.reserve(static_cast<std::size_t>(limit));
        while (stmt.step()) {
            DunningInvoice d;
            d.invoice = stmt.column_int(0);
            d.due_date = date_of(stmt.column_text(1));
            d.net = stmt.column_int(2);
            d.balance = stmt.column_int(3);
            if (!stmt.column_is_null(4)) {
                d.last_done = static_cast<int>(stmt.column_int(4));
            }
            d.stage_rank = static_cast<int>(stmt.column_int(5));
            out.push_back(d);
        }
        return out;
    });
}

Result<std::optional<DunningDetail>> dunning_detail(Ledger& ledger, std::int64_t invoice)
{
    return guard([&]() -> std::optional<DunningDetail> {
        auto& stmt = ledger.statement(
            "SELECT i.id, i.series || '-' || printf('%06d', i.number), i.issue_date, i.due_date, i.net, i.balance, "
            BILLRUN_PAYER_COLUMNS ", "
            "coalesce(b.linha_digitavel, ''), coalesce(b.pix, ''), coalesce(n.nfse_number, ''), "
            "coalesce(k.template, ''), i.status "
            "FROM invoices i JOIN customers c ON c.id = i.customer LEFT JOIN boletos b ON b.invoice = i.id "
            "LEFT JOIN nfse n ON n.invoice = i.id AND n.status = 'authorized' "
            "LEFT JOIN contracts k ON k.id = i.contract WHERE i.id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, invoice);
        if (!stmt.step()) {
            return std::nullopt;
        }
        DunningDetail d;
        d.invoice = stmt.column_int(0);
        d.invoice_id = stmt.column_text(1);
        d.issue_date = date_of(stmt.column_text(2));
        d.due_date = date_of(stmt.column_text(3));
        d.net = stmt.column_int(4);
        d.balance = stmt.column_int(5);
        d.customer = read_payer_row(stmt, 6);
        d.linha_digitavel = stmt.column_text(17);
        d.pix = stmt.column_text(18);
        d.nfse_number = stmt.column_text(19);
        d.contract_template = stmt.column_text(20);
        d.status = stmt.column_text(21);
        return d;
    });
}

namespace {

void bind_reminder(sql::Statement& stmt, std::int64_t run, const Reminder& r)
{
    stmt.bind(1, r.invoice).bind(2, r.step).bind(3, r.action).bind(4, r.channel).bind(5, r.business_date.iso());
    stmt.bind(6, r.amount_due).bind(7, r.fine).bind(8, r.interest).bind(9, run);
}

// The step, inserted with its outcome or over a failed attempt; false when it was done already.
bool insert_outcome(Ledger& ledger, std::int64_t run, const Reminder& r)
{
    auto& stmt = ledger.statement(
        "INSERT INTO reminders (invoice, step, action, channel, status, business_date, amount_due, fine, interest, "
        "run, attempts, message, error) VALUES (?1, ?2, ?3, ?4, ?10, ?5, ?6, ?7, ?8, ?9, 1, ?11, ?12) "
        "ON CONFLICT (invoice, step) DO UPDATE SET status = excluded.status, business_date = excluded.business_date, "
        "amount_due = excluded.amount_due, fine = excluded.fine, interest = excluded.interest, run = excluded.run, "
        "message = excluded.message, error = excluded.error, attempts = reminders.attempts + 1 "
        "WHERE reminders.status = 'failed'");
    bind_reminder(stmt, run, r);
    stmt.bind(10, r.status);
    stmt.bind(11, r.message.empty() ? std::nullopt : std::optional<std::string>(r.message));
    stmt.bind(12, r.error.empty() ? std::nullopt : std::optional<std::string>(r.error));
    stmt.run();
    return sqlite3_changes(ledger.db()) > 0;
}

// The outcome over this run's claim.
bool update_outcome(Ledger& ledger, const Reminder& r)
{
    auto& stmt = ledger.statement(
        "UPDATE reminders SET status = ?3, message = ?4, error = ?5 WHERE invoice = ?1 AND step = ?2");
    stmt.bind(1, r.invoice).bind(2, r.step).bind(3, r.status);
    stmt.bind(4, r.message.empty() ? std::nullopt : std::optional<std::string>(r.message));
    stmt.bind(5, r.error.empty() ? std::nullopt : std::optional<std::string>(r.error));
    stmt.run();
    return sqlite3_changes(ledger.db()) > 0;
}

bool insert_skipped(Ledger& ledger, std::int64_t run, const Reminder& r)
{
    auto& stmt = ledger.statement(
        "INSERT INTO reminders (invoice, step, action, channel, status, business_date, amount_due, fine, interest, "
        "run) VALUES (?1, ?2, ?3, ?4, 'skipped', ?5, ?6, ?7, ?8, ?9) "
        "ON CONFLICT (invoice, step) DO UPDATE SET status = 'skipped', business_date = excluded.business_date, "
        "run = excluded.run WHERE reminders.status = 'failed'");
    bind_reminder(stmt, run, r);
    stmt.run();
    return sqlite3_changes(ledger.db()) > 0;
}

bool move_stage(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view stage, Date since)
{
    auto& stmt = ledger.statement(
        "INSERT INTO collection_stages (invoice, stage, rank, since, run) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (invoice) DO UPDATE SET stage = excluded.stage, rank = excluded.rank, since = excluded.since, "
        "run = excluded.run WHERE excluded.rank > collection_stages.rank");
    stmt.bind(1, invoice).bind(2, stage).bind(3, stage_rank(stage)).bind(4, since.iso()).bind(5, run);
    stmt.run();
    return sqlite3_changes(ledger.db()) > 0;
}

}  // namespace

Result<bool> claim_reminder(Ledger& ledger, std::int64_t run, const Reminder& r)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO reminders (invoice, step, action, channel, status, business_date, amount_due, fine, interest, "
            "run, attempts) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7, ?8, ?9, 1) "
            "ON CONFLICT (invoice, step) DO UPDATE SET status = 'pending', business_date = excluded.business_date, "
            "amount_due = excluded.amount_due, fine = excluded.fine, interest = excluded.interest, run = excluded.run, "
            "error = NULL, message = NULL, attempts = reminders.attempts + 1 WHERE reminders.status = 'failed'");
        bind_reminder(stmt, run, r);
        stmt.run();
        return sqlite3_changes(ledger.db()) > 0;
    });
}

Result<bool> skip_reminder(Ledger& ledger, std::int64_t run, const Reminder& r)
{
    return guard([&] {
        const bool changed = insert_skipped(ledger, run, r);
        if (changed) {
            insert_event(ledger, run, "invoice", std::to_string(r.invoice), "reminder-skipped",
                         fmt::format("step {} ({}, {}) missed: a later step is due", r.step, r.action, r.channel));
        }
        return changed;
    });
}

Result<StepRecorded> record_step(Ledger& ledger, std::int64_t run, const StepOutcome& outcome)
{
    return guard([&] {
        const Reminder& r = outcome.reminder;
        StepRecorded recorded;
        recorded.step = outcome.claimed ? update_outcome(ledger, r) : insert_outcome(ledger, run, r);
        if (!recorded.step) {
            return recorded;
        }
        std::string detail = fmt::format("step {} ({}, {}): {}", r.step, r.action, r.channel,
                                         r.status == "sent" ? (r.message.empty() ? std::string("done") : r.message)
                                                            : r.error);
        for (const auto& s : outcome.skipped) {
            const bool done = insert_skipped(ledger, run, s);
            recorded.skipped.push_back(done);
            if (done) {
                detail += fmt::format("; skipped step {} ({}, {})", s.step, s.action, s.channel);
            }
        }
        if (!outcome.stage.empty() && move_stage(ledger, run, r.invoice, outcome.stage, r.business_date)) {
            detail += "; stage ";
            detail += outcome.stage;
        }
        insert_event(ledger, run, "invoice", std::to_string(r.invoice),
                     r.status == "sent" ? "reminded" : "reminder-" + r.status, detail);
        return recorded;
    });
}

Result<void> mark_reminder_handed(Ledger& ledger, std::int64_t invoice, int step)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE reminders SET message = 'smtp' WHERE invoice = ? AND step = ? AND status = 'pending'");
        stmt.bind(1, invoice).bind(2, step);
        stmt.run();
    });
}

Result<std::int64_t> settle_stale_reminders(Ledger& ledger)
{
    return guard([&] {
        // Letters, outbox files and e-mails never handed over are simply done again; only an
        // e-mail handed to an SMTP server (marked so before it went) may have reached the customer.
        auto& stmt = ledger.statement(
            "UPDATE reminders SET status = CASE WHEN message = 'smtp' THEN 'unknown' ELSE 'failed' END, "
            "error = CASE WHEN message = 'smtp' THEN ?1 ELSE ?2 END WHERE status = 'pending'");
        stmt.bind(1, "the run sending it stopped: whether the server took it is unknown, so it is not sent again")
            .bind(2, "the run that had it stopped before it went out");
        stmt.run();
        return static_cast<std::int64_t>(sqlite3_changes(ledger.db()));
    });
}

Result<void> advance_stage(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view stage, Date since)
{
    return guard([&] {
        if (move_stage(ledger, run, invoice, stage, since)) {
            insert_event(ledger, run, "invoice", std::to_string(invoice), "stage", std::string(stage));
        }
    });
}

}  // namespace billrun::ledger
