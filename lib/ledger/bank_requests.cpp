// Requests to banks that number the boleto themselves (schema v12).
#include <billrun/ledger/bank_requests.hpp>

#include <fmt/format.h>

#include "events.hpp"
#include "guard.hpp"
#include "rows.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

Result<void> insert_bank_request(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view account,
                                 std::string_view provider, Date issue_date)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO bank_requests (invoice, account, provider, issue_date, status, run, last_run) "
            "VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT(invoice) DO NOTHING");
        stmt.bind(1, invoice).bind(2, account).bind(3, provider).bind(4, issue_date.iso()).bind(5, run).bind(6, run);
        stmt.run();
        if (sqlite3_changes(ledger.db()) > 0) {
            insert_event(ledger, run, "invoice", std::to_string(invoice), "bank-request", provider);
        }
    });
}

Result<std::vector<BankRequest>> bank_requests_to_send(Ledger& ledger, std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT invoice, account, provider, issue_date, status, attempts, coalesce(bank_id, '') FROM bank_requests "
            "WHERE status IN ('pending', 'rejected') AND invoice > ? ORDER BY invoice LIMIT ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, after).bind(2, limit);
        std::vector<BankRequest> out;
        while (stmt.step()) {
            out.push_back(BankRequest{stmt.column_int(0), stmt.column_text(1), stmt.column_text(2),
                                      date_of(stmt.column_text(3)), stmt.column_text(4), stmt.column_int(5),
                                      stmt.column_text(6)});
        }
        return out;
    });
}

Result<void> count_bank_request_attempt(Ledger& ledger, std::int64_t run, std::int64_t invoice)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE bank_requests SET attempts = attempts + 1, last_run = ? WHERE invoice = ?");
        stmt.bind(1, run).bind(2, invoice).run();
        insert_event(ledger, run, "invoice", std::to_string(invoice), "bank-request-sent");
    });
}

Result<void> set_bank_request_id(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view bank_id)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE bank_requests SET bank_id = ?, last_run = ? WHERE invoice = ?");
        stmt.bind(1, bank_id).bind(2, run).bind(3, invoice).run();
        insert_event(ledger, run, "invoice", std::to_string(invoice), "bank-request-accepted",
                     fmt::format("request {}", bank_id));
    });
}

Result<std::string> registered_bank_id(Ledger& ledger, std::int64_t boleto)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT coalesce(bank_id, '') FROM boleto_registrations WHERE boleto = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, boleto);
        return stmt.step() ? stmt.column_text(0) : std::string();
    });
}

Result<void> mark_bank_request_issued(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t boleto)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE bank_requests SET status = 'issued', boleto = ?, error = NULL, last_run = ? WHERE invoice = ?");
        stmt.bind(1, boleto).bind(2, run).bind(3, invoice).run();
    });
}

Result<void> mark_bank_request_failed(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view status,
                                      std::string_view error)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE bank_requests SET status = ?, error = ?, last_run = ? WHERE invoice = ?");
        stmt.bind(1, status).bind(2, error).bind(3, run).bind(4, invoice).run();
        insert_event(ledger, run, "invoice", std::to_string(invoice), fmt::format("bank-request-{}", status), error);
    });
}

}  // namespace billrun::ledger
