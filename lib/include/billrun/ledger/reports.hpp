#pragma once
// What `billrun report` reads, aggregated or streamed by SQLite so a million invoices take
// seconds and flat memory. Read-only: a ReadSnapshot makes the connection refuse writes and
// holds one consistent view of the ledger while a report reads it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <billrun/core/date.hpp>
#include <billrun/core/error.hpp>
#include <billrun/core/money.hpp>
#include <billrun/ledger/ledger.hpp>

namespace billrun::ledger {

// One read transaction over a connection set to query_only; ends in its destructor.
class ReadSnapshot {
public:
    static Result<ReadSnapshot> begin(Ledger& ledger);
    ReadSnapshot(ReadSnapshot&& other) noexcept;
    ReadSnapshot& operator=(ReadSnapshot&&) = delete;
    ReadSnapshot(const ReadSnapshot&) = delete;
    ~ReadSnapshot();

private:
    explicit ReadSnapshot(Ledger& ledger) : m_ledger(&ledger) {}
    Ledger* m_ledger;
};

// The open balance of a customer's invoices falling due on one date, as of a business date:
// issued on or before it, not drafts, not cancelled by then (the business date of the
// cancelling run), net less the credit applied at issue less the principal of the payments
// dated on or before it (never below zero).
struct DueBalance {
    std::string customer;
    std::string name;
    Date due_date;
    Centavos balance = 0;
};
struct AgingFilter {
    std::string customer;  // empty: every customer
    std::string owner;     // empty: every owner
};
// Calls `each` per (customer, due date) with a balance, ordered by customer then due date.
Result<void> each_due_balance(Ledger& ledger, Date as_of, const AgingFilter& filter,
                              const std::function<void(const DueBalance&)>& each);

// A customer's invoices (not drafts) and applied payments, for a statement.
struct StatementInvoice {
    std::int64_t key = 0;
    std::string id;         // "A-000123"
    std::string status;
    Date issue_date;
    Date due_date;
    std::optional<Date> period_start;
    std::optional<Date> period_end;
    Centavos net = 0;
    Centavos credit_used = 0;  // earlier credit that paid part of it at issue
    Centavos credit_returned = 0;       // that credit, given back when it was cancelled
    std::optional<Date> cancelled;      // the business date of the run that cancelled it
};
struct StatementPayment {
    std::int64_t key = 0;
    std::string invoice;    // "A-000123"
    Date date;
    Centavos amount = 0;    // what was paid, interest and fine included
    Centavos interest = 0;
    Centavos fine = 0;
    Centavos credit = 0;    // the excess kept as the customer's credit
    std::string source;
    std::string record;
};
Result<std::vector<StatementInvoice>> statement_invoices(Ledger& ledger, std::string_view customer);
Result<std::vector<StatementPayment>> statement_payments(Ledger& ledger, std::string_view customer);

// Open invoices (issued, partly paid) now, per owner and collection stage: an invoice
// without a recorded stage is 'created', or 'due-date-set' once it has a boleto.
struct StageTotal {
    std::string owner;
    std::string stage;
    std::int64_t count = 0;
    Centavos amount = 0;
};
Result<std::vector<StageTotal>> stage_totals(Ledger& ledger, std::string_view owner);

// One invoice as `report invoices` lists it; balance as the ledger holds it now.
struct InvoiceListing {
    std::int64_t key = 0;
    std::string series;
    std::optional<std::int64_t> number;
    std::string status;
    std::string customer;
    std::optional<std::string> contract;
    std::optional<Date> period_start;
    std::optional<Date> period_end;
    Date issue_date;
    Date due_date;
    Centavos gross = 0;
    Centavos net = 0;
    Centavos balance = 0;
};
struct InvoiceFilter {
    std::vector<std::string> statuses;  // empty: any
    std::string customer;
    std::string owner;
    std::string series;
    std::optional<Date> from;  // issue date, inclusive
    std::optional<Date> to;
};
// In key order, streamed.
Result<void> each_invoice(Ledger& ledger, const InvoiceFilter& filter,
                          const std::function<void(const InvoiceListing&)>& each);

struct RunListing {
    std::int64_t id = 0;
    std::string command;
    std::string business_date;
    std::string started;
    std::optional<std::string> finished;
    std::string status;
    std::optional<std::string> counts;  // JSON, as the run recorded it
};
struct RunFilter {
    std::string status;
    std::string command;  // the run's command, or its first word ("import" for every import)
    std::optional<Date> from;  // business date, inclusive
    std::optional<Date> to;
};
Result<void> each_run(Ledger& ledger, const RunFilter& filter, const std::function<void(const RunListing&)>& each);

}  // namespace billrun::ledger
