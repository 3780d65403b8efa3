// Deliveries: the documents auto-send e-mails, each once.
#include <billrun/ledger/deliveries.hpp>

#include <fmt/format.h>

#include "events.hpp"
#include "guard.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

namespace {

std::optional<std::string> nullable(const std::string& text)
{
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

DeliveryRow read_row(const sql::Statement& stmt)
{
    DeliveryRow row;
    row.key = stmt.column_int(0);
    row.invoice = stmt.column_int(1);
    row.document = stmt.column_text(2);
    row.status = stmt.column_text(3);
    row.message = stmt.column_text(4);
    row.error = stmt.column_text(5);
    return row;
}

#define BILLRUN_DELIVERY_SELECT \
    "SELECT d.id, d.invoice, d.document, d.status, coalesce(d.message, ''), coalesce(d.error, '') FROM deliveries d "

}  // namespace

Result<bool> queue_delivery(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view document)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO deliveries (invoice, document, status, run, last_run) "
            "SELECT i.id, ?2, 'queued', ?3, ?3 FROM invoices i JOIN contracts k ON k.id = i.contract "
            "WHERE i.id = ?1 AND k.auto_send = 1 ON CONFLICT (invoice, document) DO NOTHING");
        stmt.bind(1, invoice).bind(2, document).bind(3, run);
        stmt.run();
        const bool queued = sqlite3_changes(ledger.db()) > 0;
        if (queued) {
            insert_event(ledger, run, "invoice", std::to_string(invoice), "delivery-queued",
                         fmt::format("{}: to be e-mailed to the customer (auto_send)", document));
        }
        return queued;
    });
}

Result<bool> has_open_deliveries(Ledger& ledger)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT EXISTS (SELECT 1 FROM deliveries WHERE status IN ('queued', 'pending', 'failed'))");
        sql::ResetGuard reset(stmt);
        return stmt.step() && stmt.column_int(0) != 0;
    });
}

Result<void> mark_delivery_handed(Ledger& ledger, std::int64_t key)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE deliveries SET message = 'smtp' WHERE id = ? AND status = 'pending'");
        stmt.bind(1, key);
        stmt.run();
    });
}

Result<std::int64_t> settle_stale_deliveries(Ledger& ledger, std::int64_t run)
{
    return guard([&] {
        std::vector<std::pair<std::int64_t, bool>> rows;  // invoice, handed to the server
        {
            auto& stmt = ledger.statement(
                "SELECT invoice, coalesce(message, '') = 'smtp' FROM deliveries WHERE status = 'pending'");
            sql::ResetGuard reset(stmt);
            while (stmt.step()) {
                rows.emplace_back(stmt.column_int(0), stmt.column_int(1) != 0);
            }
        }
        constexpr std::string_view k_unknown =
            "the run sending it stopped: whether the server took it is unknown, so it is not sent again";
        constexpr std::string_view k_retry = "the run that had it stopped before it went out";
        auto& stmt = ledger.statement(
            "UPDATE deliveries SET status = CASE WHEN message = 'smtp' THEN 'unknown' ELSE 'failed' END, "
            "error = CASE WHEN message = 'smtp' THEN ?1 ELSE ?2 END, last_run = ?3 WHERE status = 'pending'");
        stmt.bind(1, k_unknown).bind(2, k_retry).bind(3, run);
        stmt.run();
        for (const auto& [invoice, handed] : rows) {
            insert_event(ledger, run, "invoice", std::to_string(invoice), handed ? "delivery-unknown" : "delivery-failed",
                         handed ? k_unknown : k_retry);
        }
        return static_cast<std::int64_t>(rows.size());
    });
}

Result<std::vector<DeliveryRow>> open_deliveries(Ledger& ledger, std::int64_t after_invoice, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            BILLRUN_DELIVERY_SELECT
            "WHERE d.status IN ('queued', 'failed') AND d.invoice IN (SELECT DISTINCT invoice FROM deliveries "
            "WHERE status IN ('queued', 'failed') AND invoice > ?1 ORDER BY invoice LIMIT ?2) "
            "ORDER BY d.invoice, d.document");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, after_invoice).bind(2, limit);
        std::vector<DeliveryRow> out;
        while (stmt.step()) {
            out.push_back(read_row(stmt));
        }
        return out;
    });
}

Result<bool> claim_delivery(Ledger& ledger, std::int64_t run, std::int64_t key)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE deliveries SET status = 'pending', attempts = attempts + 1, error = NULL, message = NULL, "
            "last_run = ?2 "
            "WHERE id = ?1 AND status IN ('queued', 'failed')");
        stmt.bind(1, key).bind(2, run);
        stmt.run();
        return sqlite3_changes(ledger.db()) > 0;
    });
}

Result<void> finish_delivery(Ledger& ledger, std::int64_t run, const DeliveryRow& row)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE deliveries SET status = ?2, message = ?3, error = ?4, last_run = ?5 WHERE id = ?1");
        stmt.bind(1, row.key).bind(2, row.status).bind(3, nullable(row.message)).bind(4, nullable(row.error));
        stmt.bind(5, run);
        stmt.run();
        insert_event(ledger, run, "invoice", std::to_string(row.invoice),
                     row.status == "sent" ? "delivered" : "delivery-" + row.status,
                     fmt::format("{}: {}", row.document, row.status == "sent" ? row.message : row.error));
    });
}

Result<std::optional<AuthorizedNfse>> authorized_nfse(Ledger& ledger, std::int64_t invoice)
{
    return guard([&]() -> std::optional<AuthorizedNfse> {
        auto& stmt = ledger.statement(
            "SELECT coalesce(nfse_number, ''), coalesce(access_key, ''), authorized_xml FROM nfse "
            "WHERE invoice = ? AND status = 'authorized'");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, invoice);
        if (!stmt.step()) {
            return std::nullopt;
        }
        // The XML is kept as a blob, byte for byte as the authority returned it.
        return AuthorizedNfse{stmt.column_text(0), stmt.column_text(1), stmt.column_blob(2)};
    });
}

Result<std::vector<DeliveryRow>> deliveries_of_invoice(Ledger& ledger, std::int64_t invoice)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_DELIVERY_SELECT "WHERE d.invoice = ? ORDER BY d.id");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, invoice);
        std::vector<DeliveryRow> out;
        while (stmt.step()) {
            out.push_back(read_row(stmt));
        }
        return out;
    });
}

}  // namespace billrun::ledger
