// The queries of `billrun report`: aggregated in SQL or streamed row by row.
#include <billrun/ledger/reports.hpp>

#include "guard.hpp"
#include "rows.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

namespace {

std::string iso_or_empty(const std::optional<Date>& date)
{
    return date ? date->iso() : std::string();
}

// The business date of the run that cancelled an invoice (NULL when not cancelled).
#define BILLRUN_CANCEL_DATE(i)                                                                      \
    "(SELECT min(r.business_date) FROM events e JOIN runs r ON r.id = e.run WHERE e.entity = 'invoice' " \
    "AND e.entity_id = CAST(" i ".id AS TEXT) AND e.action = 'cancelled')"

#define BILLRUN_INVOICE_ID(i) \
    "CASE WHEN " i ".number IS NULL THEN '' ELSE " i ".series || '-' || printf('%06d', " i ".number) END"

}  // namespace

Result<ReadSnapshot> ReadSnapshot::begin(Ledger& ledger)
{
    // query_only: whatever a report runs, it cannot change the ledger.
    auto begun = guard([&] { sql::exec(ledger.db(), "PRAGMA query_only = ON; BEGIN"); });
    if (!begun) {
        return tl::unexpected(begun.error());
    }
    return ReadSnapshot(ledger);
}

ReadSnapshot::ReadSnapshot(ReadSnapshot&& other) noexcept : m_ledger(other.m_ledger)
{
    other.m_ledger = nullptr;
}

ReadSnapshot::~ReadSnapshot()
{
    if (m_ledger != nullptr) {
        sqlite3_exec(m_ledger->db(), "COMMIT", nullptr, nullptr, nullptr);
    }
}

Result<void> each_due_balance(Ledger& ledger, Date as_of, const AgingFilter& filter,
                              const std::function<void(const DueBalance&)>& each)
{
    return guard([&] {
        // One pass over the invoices: the payments of each through payments_by_invoice, the
        // credit used at issue from one grouped pass over customer_credits.
        auto& stmt = ledger.statement(
            "SELECT g.customer, c.name, g.due_date, g.balance FROM ("
            "  SELECT o.customer, o.due_date, sum(o.open) AS balance FROM ("
            "    SELECT i.customer, i.due_date, max(i.net - coalesce(u.used, 0) - coalesce(("
            "      SELECT sum(p.amount - p.interest - p.fine) FROM payments p"
            "      WHERE p.invoice = i.id AND p.status = 'applied' AND p.date <= ?1), 0), 0) AS open"
            "    FROM invoices i LEFT JOIN ("
            "      SELECT invoice, -sum(amount) AS used FROM customer_credits WHERE invoice IS NOT NULL AND amount < 0"
            "      GROUP BY invoice) u ON u.invoice = i.id"
            "    WHERE i.issue_date <= ?1 AND (i.status IN ('issued', 'partly-paid', 'paid') OR"
            "      (i.status = 'cancelled' AND coalesce(" BILLRUN_CANCEL_DATE("i") ", i.issue_date) > ?1))"
            "      AND (?2 = '' OR i.customer = ?2)"
            "  ) o WHERE o.open > 0 GROUP BY o.customer, o.due_date"
            ") g JOIN customers c ON c.id = g.customer WHERE (?3 = '' OR c.owner = ?3)"
            " ORDER BY g.customer, g.due_date");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, as_of.iso()).bind(2, filter.customer).bind(3, filter.owner);
        DueBalance row;
        while (stmt.step()) {
            row.customer = stmt.column_text(0);
            row.name = stmt.column_text(1);
            row.due_date = date_of(stmt.column_text(2));
            row.balance = stmt.column_int(3);
            each(row);
        }
    });
}

Result<std::vector<StatementInvoice>> statement_invoices(Ledger& ledger, std::string_view customer)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT i.id, " BILLRUN_INVOICE_ID("i") ", i.status, i.issue_date, i.due_date, i.period_start, "
            "i.period_end, i.net, coalesce((SELECT -sum(cc.amount) FROM customer_credits cc "
            "WHERE cc.customer = ?1 AND cc.invoice = i.id AND cc.amount < 0), 0), "
            "coalesce((SELECT sum(cc.amount) FROM customer_credits cc "
            "WHERE cc.customer = ?1 AND cc.invoice = i.id AND cc.amount > 0 AND cc.payment IS NULL), 0), "
            "CASE WHEN i.status = 'cancelled' THEN " BILLRUN_CANCEL_DATE("i") " END "
            "FROM invoices i WHERE i.customer = ?1 AND i.status <> 'draft' ORDER BY i.issue_date, i.id");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, customer);
        std::vector<StatementInvoice> out;
        while (stmt.step()) {
            StatementInvoice inv;
            inv.key = stmt.column_int(0);
            inv.id = stmt.column_text(1);
            inv.status = stmt.column_text(2);
            inv.issue_date = date_of(stmt.column_text(3));
            inv.due_date = date_of(stmt.column_text(4));
            inv.period_start = opt_date_of(stmt.column_opt_text(5));
            inv.period_end = opt_date_of(stmt.column_opt_text(6));
            inv.net = stmt.column_int(7);
            inv.credit_used = stmt.column_int(8);
            inv.credit_returned = stmt.column_int(9);
            if (inv.status == "cancelled") {
                inv.cancelled = opt_date_of(stmt.column_opt_text(10)).value_or(inv.issue_date);
            }
            out.push_back(std::move(inv));
        }
        return out;
    });
}

Result<std::vector<StatementPayment>> statement_payments(Ledger& ledger, std::string_view customer)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT p.id, " BILLRUN_INVOICE_ID("i") ", p.date, p.amount, p.interest, p.fine, "
            "coalesce((SELECT sum(cc.amount) FROM customer_credits cc WHERE cc.customer = ?1 AND cc.payment = p.id), 0), "
            "p.source, p.record FROM invoices i JOIN payments p ON p.invoice = i.id "
            "WHERE i.customer = ?1 AND p.status = 'applied' ORDER BY p.date, p.id");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, customer);
        std::vector<StatementPayment> out;
        while (stmt.step()) {
            StatementPayment p;
            p.key = stmt.column_int(0);
            p.invoice = stmt.column_text(1);
            p.date = date_of(stmt.column_text(2));
            p.amount = stmt.column_int(3);
            p.interest = stmt.column_int(4);
            p.fine = stmt.column_int(5);
            p.credit = stmt.column_int(6);
            p.source = stmt.column_text(7);
            p.record = stmt.column_text(8);
            out.push_back(std::move(p));
        }
        return out;
    });
}

Result<std::vector<StageTotal>> stage_totals(Ledger& ledger, std::string_view owner)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT c.owner, coalesce(s.stage, CASE WHEN EXISTS (SELECT 1 FROM boletos b WHERE b.invoice = i.id) "
            "THEN 'due-date-set' ELSE 'created' END) AS stage, count(*), sum(i.balance) "
            "FROM invoices i JOIN customers c ON c.id = i.customer LEFT JOIN collection_stages s ON s.invoice = i.id "
            "WHERE i.status IN ('issued', 'partly-paid') AND (?1 = '' OR c.owner = ?1) GROUP BY 1, 2");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, owner);
        std::vector<StageTotal> out;
        while (stmt.step()) {
            out.push_back(StageTotal{stmt.column_text(0), stmt.column_text(1), stmt.column_int(2), stmt.column_int(3)});
        }
        return out;
    });
}

Result<void> each_invoice(Ledger& ledger, const InvoiceFilter& filter,
                          const std::function<void(const InvoiceListing&)>& each)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT i.id, i.series, i.number, i.status, i.customer, i.contract, i.period_start, i.period_end, "
            "i.issue_date, i.due_date, i.gross, i.net, i.balance FROM invoices i "
            "WHERE (?1 = '' OR instr(?1, ',' || i.status || ',') > 0) AND (?2 = '' OR i.customer = ?2) "
            "AND (?3 = '' OR i.series = ?3) AND (?4 = '' OR i.issue_date >= ?4) AND (?5 = '' OR i.issue_date <= ?5) "
            "AND (?6 = '' OR i.customer IN (SELECT id FROM customers WHERE owner = ?6)) ORDER BY i.id");
        sql::ResetGuard reset(stmt);
        std::string statuses;
        for (const auto& status : filter.statuses) {
            statuses += "," + status;
        }
        if (!statuses.empty()) {
            statuses += ",";
        }
        stmt.bind(1, statuses).bind(2, filter.customer).bind(3, filter.series);
        stmt.bind(4, iso_or_empty(filter.from)).bind(5, iso_or_empty(filter.to)).bind(6, filter.owner);
        InvoiceListing row;
        while (stmt.step()) {
            row.key = stmt.column_int(0);
            row.series = stmt.column_text(1);
            row.number = stmt.column_opt_int(2);
            row.status = stmt.column_text(3);
            row.customer = stmt.column_text(4);
            row.contract = stmt.column_opt_text(5);
            row.period_start = opt_date_of(stmt.column_opt_text(6));
            row.period_end = opt_date_of(stmt.column_opt_text(7));
            row.issue_date = date_of(stmt.column_text(8));
            row.due_date = date_of(stmt.column_text(9));
            row.gross = stmt.column_int(10);
            row.net = stmt.column_int(11);
            row.balance = stmt.column_int(12);
            each(row);
        }
    });
}

Result<void> each_run(Ledger& ledger, const RunFilter& filter, const std::function<void(const RunListing&)>& each)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT id, command, business_date, started, finished, status, counts FROM runs "
            "WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR command = ?2 OR substr(command, 1, length(?2) + 1) = ?2 || ' ') "
            "AND (?3 = '' OR business_date >= ?3) AND (?4 = '' OR business_date <= ?4) ORDER BY id");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, filter.status).bind(2, filter.command);
        stmt.bind(3, iso_or_empty(filter.from)).bind(4, iso_or_empty(filter.to));
        RunListing row;
        while (stmt.step()) {
            row.id = stmt.column_int(0);
            row.command = stmt.column_text(1);
            row.business_date = stmt.column_text(2);
            row.started = stmt.column_text(3);
            row.finished = stmt.column_opt_text(4);
            row.status = stmt.column_text(5);
            row.counts = stmt.column_opt_text(6);
            each(row);
        }
    });
}

}  // namespace billrun::ledger
