#pragma once
// What `billrun show` reads of the records that other stages keep: one run, payment,
// reminder, charge or remessa by its id, and what a run wrote to the event table.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/ledger/boletos.hpp>
#include <billrun/ledger/payments.hpp>
#include <billrun/ledger/records.hpp>
#include <billrun/ledger/reminders.hpp>
#include <billrun/ledger/reports.hpp>

namespace billrun::ledger {

// A record's key written as an id ("17"): a whole number above zero; nullopt for anything else.
std::optional<std::int64_t> key_of(std::string_view id);

// An invoice by its id ("A-000123", "A-123") or, for drafts too, by its key ("17").
Result<std::optional<Invoice>> find_invoice_by_reference(Ledger& ledger, std::string_view id);

struct RunRecord {
    RunListing run;
    std::vector<std::pair<std::string, std::int64_t>> counts;  // the recorded counts, in order
};
Result<std::optional<RunRecord>> find_run(Ledger& ledger, std::int64_t id);

// The events a run wrote, counted per record kind and action, in the order they first came.
struct EventCount {
    std::string entity;
    std::string action;
    std::int64_t count = 0;
    std::string first;  // the id of the first record it names
};
Result<std::vector<EventCount>> events_of_run(Ledger& ledger, std::int64_t run);

struct PaymentRecord {
    std::int64_t key = 0;
    Payment payment;
    std::string invoice_id;  // "A-000123", empty when it matched none
    std::int64_t run = 0;
};
// By key, or by the bank record's identity (source key).
Result<std::optional<PaymentRecord>> find_payment(Ledger& ledger, std::string_view id);

struct ReminderRecord {
    std::int64_t key = 0;
    Reminder reminder;
    std::string invoice_id;
    std::int64_t attempts = 0;
    std::int64_t run = 0;
};
Result<std::optional<ReminderRecord>> find_reminder(Ledger& ledger, std::int64_t key);
// The reminder of an invoice (by its key) for the step of this offset.
Result<std::optional<ReminderRecord>> find_reminder_of(Ledger& ledger, std::int64_t invoice, int step);

struct ChargeRecord {
    Charge charge;
    std::optional<std::int64_t> invoice;  // key of the invoice that billed it
    std::string invoice_id;
};
Result<std::optional<ChargeRecord>> find_charge(Ledger& ledger, std::string_view id);

struct RemessaRecord {
    Remessa remessa;
    std::int64_t run = 0;
};
// By key, or as ACCOUNT:SEQUENCE ("main:3").
Result<std::optional<RemessaRecord>> find_remessa(Ledger& ledger, std::string_view id);

}  // namespace billrun::ledger
