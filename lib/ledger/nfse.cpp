// NFS-e rows, the DPS number of each series, and their events (entity "invoice").
#include <billrun/ledger/nfse.hpp>

#include <fmt/format.h>

#include "events.hpp"
#include "guard.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

namespace {

#define BILLRUN_NFSE_COLUMNS                                                                                     \
    "SELECT n.id, n.invoice, i.series || '-' || printf('%06d', i.number), n.standard, n.dps_series, n.dps_number, " \
    "n.dps_id, n.status, coalesce(n.xml_path, ''), coalesce(n.access_key, ''), coalesce(n.nfse_number, ''), "     \
    "coalesce(n.authorized_path, ''), coalesce(n.error_code, ''), coalesce(n.error_message, ''), n.attempts "
#define BILLRUN_NFSE_FROM "FROM nfse n JOIN invoices i ON i.id = n.invoice "
#define BILLRUN_NFSE_SELECT BILLRUN_NFSE_COLUMNS BILLRUN_NFSE_FROM

NfseRecord read_record(const sql::Statement& stmt)
{
    NfseRecord r;
    r.key = stmt.column_int(0);
    r.invoice = stmt.column_int(1);
    r.invoice_id = stmt.column_text(2);
    r.standard = stmt.column_text(3);
    r.dps_series = stmt.column_text(4);
    r.dps_number = stmt.column_int(5);
    r.dps_id = stmt.column_text(6);
    r.status = stmt.column_text(7);
    r.xml_path = stmt.column_text(8);
    r.access_key = stmt.column_text(9);
    r.number = stmt.column_text(10);
    r.authorized_path = stmt.column_text(11);
    r.error_code = stmt.column_text(12);
    r.error_message = stmt.column_text(13);
    r.attempts = stmt.column_int(14);
    return r;
}

std::vector<NfseRecord> read_all(sql::Statement& stmt, bool with_xml)
{
    sql::ResetGuard reset(stmt);
    std::vector<NfseRecord> out;
    while (stmt.step()) {
        out.push_back(read_record(stmt));
        if (with_xml) {
            out.back().signed_xml = stmt.column_blob(15);
        }
    }
    return out;
}

// The invoice's key of a row, for its events.
std::string invoice_of(Ledger& ledger, std::int64_t key)
{
    auto& stmt = ledger.statement("SELECT invoice FROM nfse WHERE id = ?");
    sql::ResetGuard reset(stmt);
    stmt.bind(1, key);
    return stmt.step() ? std::to_string(stmt.column_int(0)) : std::string();
}

void event(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view action, std::string_view detail)
{
    insert_event(ledger, run, "invoice", invoice_of(ledger, key), action, detail);
}

}  // namespace

Result<std::vector<std::int64_t>> nfse_candidates(Ledger& ledger, std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT i.id FROM invoices i WHERE i.id > ? AND i.status IN ('issued', 'partly-paid', 'paid') AND "
            "NOT EXISTS (SELECT 1 FROM nfse n WHERE n.invoice = i.id) ORDER BY i.id LIMIT ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, after).bind(2, limit);
        std::vector<std::int64_t> out;
        while (stmt.step()) {
            out.push_back(stmt.column_int(0));
        }
        return out;
    });
}

Result<bool> nfse_candidate(Ledger& ledger, std::int64_t invoice)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT 1 FROM invoices i WHERE i.id = ? AND i.status IN ('issued', 'partly-paid', 'paid') AND "
            "NOT EXISTS (SELECT 1 FROM nfse n WHERE n.invoice = i.id)");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, invoice);
        return stmt.step();
    });
}

Result<std::int64_t> last_dps_number(Ledger& ledger, std::string_view series)
{
    return guard([&]() -> std::int64_t {
        auto& stmt = ledger.statement("SELECT last_number FROM dps_sequences WHERE series = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, series);
        return stmt.step() ? stmt.column_int(0) : 0;
    });
}

Result<void> store_last_dps_number(Ledger& ledger, std::string_view series, std::int64_t last)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO dps_sequences (series, last_number) VALUES (?, ?) "
            "ON CONFLICT(series) DO UPDATE SET last_number = excluded.last_number");
        stmt.bind(1, series).bind(2, last).run();
    });
}

Result<std::optional<std::int64_t>> insert_nfse(Ledger& ledger, std::int64_t run, const NfseRecord& r)
{
    return guard([&]() -> std::optional<std::int64_t> {
        auto& stmt = ledger.statement(
            "INSERT INTO nfse (invoice, standard, dps_series, dps_number, dps_id, status, run, last_run) "
            "VALUES (?,?,?,?,?,'pending',?,?) ON CONFLICT(invoice) DO NOTHING");
        stmt.bind(1, r.invoice).bind(2, r.standard).bind(3, r.dps_series).bind(4, r.dps_number);
        stmt.bind(5, r.dps_id).bind(6, run).bind(7, run).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return std::nullopt;
        }
        std::int64_t key = sqlite3_last_insert_rowid(ledger.db());
        insert_event(ledger, run, "invoice", std::to_string(r.invoice), "dps-allocated", r.dps_id);
        return key;
    });
}

Result<std::vector<NfseRecord>> nfse_to_sign(Ledger& ledger, std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_NFSE_SELECT
                                      "WHERE n.status IN ('pending', 'rejected') AND n.id > ? ORDER BY n.id LIMIT ?");
        stmt.bind(1, after).bind(2, limit);
        return read_all(stmt, false);
    });
}

Result<std::vector<NfseRecord>> nfse_to_send(Ledger& ledger, std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_NFSE_COLUMNS
                                      ", n.signed_xml " BILLRUN_NFSE_FROM
                                      "WHERE n.status = 'signed' AND n.standard = 'nacional' AND n.id > ? "
                                      "ORDER BY n.id LIMIT ?");
        stmt.bind(1, after).bind(2, limit);
        return read_all(stmt, true);
    });
}

Result<std::optional<NfseRecord>> nfse_of_invoice(Ledger& ledger, std::int64_t invoice)
{
    return guard([&]() -> std::optional<NfseRecord> {
        auto& stmt = ledger.statement(BILLRUN_NFSE_COLUMNS ", n.signed_xml " BILLRUN_NFSE_FROM "WHERE n.invoice = ?");
        stmt.bind(1, invoice);
        auto rows = read_all(stmt, true);
        if (rows.empty()) {
            return std::nullopt;
        }
        return std::move(rows.front());
    });
}

Result<std::optional<NfseRecord>> find_nfse(Ledger& ledger, std::string_view id)
{
    return guard([&]() -> std::optional<NfseRecord> {
        auto& stmt = ledger.statement(BILLRUN_NFSE_COLUMNS ", n.signed_xml " BILLRUN_NFSE_FROM
                                      "WHERE n.dps_id = ?1 OR n.access_key = ?1");
        stmt.bind(1, id);
        auto rows = read_all(stmt, true);
        if (rows.empty()) {
            return std::nullopt;
        }
        return std::move(rows.front());
    });
}

Result<bool> store_signed_dps(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view bytes,
                              std::string_view path)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse SET status = 'signed', signed_xml = ?, xml_path = ?, error_code = NULL, "
            "error_message = NULL, last_run = ? WHERE id = ? AND status IN ('pending', 'rejected')");
        stmt.bind_blob(1, bytes);
        stmt.bind(2, path).bind(3, run).bind(4, key).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return false;
        }
        event(ledger, run, key, "dps-signed", path);
        return true;
    });
}

Result<bool> record_nfse_invalid(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view code,
                                 std::string_view message)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse SET status = 'pending', error_code = ?, error_message = ?, last_run = ? "
            "WHERE id = ? AND status IN ('pending', 'rejected')");
        stmt.bind(1, code).bind(2, message).bind(3, run).bind(4, key).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return false;
        }
        event(ledger, run, key, "dps-invalid", fmt::format("{}: {}", code, message));
        return true;
    });
}

Result<bool> record_nfse_attempt(Ledger& ledger, std::int64_t run, std::int64_t key)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse SET attempts = attempts + 1, last_run = ? WHERE id = ? AND status = 'signed'");
        stmt.bind(1, run).bind(2, key).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return false;
        }
        auto& count = ledger.statement("SELECT attempts FROM nfse WHERE id = ?");
        sql::ResetGuard reset(count);
        count.bind(1, key);
        std::int64_t n = count.step() ? count.column_int(0) : 0;
        event(ledger, run, key, "nfse-sending", fmt::format("attempt {}", n));
        return true;
    });
}

Result<Authorization> record_nfse_authorized(Ledger& ledger, std::int64_t run, std::int64_t key,
                                             std::string_view access_key, std::string_view number,
                                             std::string_view xml, std::string_view path, std::string_view how)
{
    return guard([&] {
        auto bind = [&](sql::Statement& stmt) {
            stmt.bind(1, access_key).bind(2, number);
            stmt.bind_blob(3, xml);
            stmt.bind(4, path).bind(5, run).bind(6, key).run();
            return sqlite3_changes(ledger.db()) > 0;
        };
        auto& stmt = ledger.statement(
            "UPDATE nfse SET status = 'authorized', access_key = ?, nfse_number = ?, authorized_xml = ?, "
            "authorized_path = ?, error_code = NULL, error_message = NULL, last_run = ? WHERE id = ? AND "
            "status = 'signed'");
        if (bind(stmt)) {
            event(ledger, run, key, "nfse-authorized", fmt::format("{} number {} ({})", access_key, number, how));
            return Authorization::recorded;
        }
        // Cancelled while its DPS was on its way: the NFS-e exists at the authority and needs
        // its cancellation event; the invoice stays cancelled.
        auto& late = ledger.statement(
            "UPDATE nfse SET status = 'authorized-after-cancel', access_key = ?, nfse_number = ?, "
            "authorized_xml = ?, authorized_path = ?, error_code = 'authorized-after-cancel', error_message = "
            "'the invoice was cancelled while its DPS was on its way; the authority authorized it anyway: "
            "billrun cancel sends its cancellation event', last_run = ? WHERE id = ? AND status = 'cancelled' "
            "AND access_key IS NULL");
        if (bind(late)) {
            event(ledger, run, key, "nfse-authorized-after-cancel",
                  fmt::format("{} number {} ({})", access_key, number, how));
            return Authorization::after_cancel;
        }
        return Authorization::unchanged;
    });
}

Result<void> record_nfse_rejected(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view code,
                                  std::string_view message)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse SET status = 'rejected', error_code = ?, error_message = ?, last_run = ? WHERE id = ?");
        stmt.bind(1, code).bind(2, message).bind(3, run).bind(4, key).run();
        event(ledger, run, key, "nfse-rejected", fmt::format("{}: {}", code, message));
    });
}

Result<void> record_nfse_unsent(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view code,
                                std::string_view message)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse SET error_code = ?, error_message = ?, last_run = ? WHERE id = ?");
        stmt.bind(1, code).bind(2, message).bind(3, run).bind(4, key).run();
        event(ledger, run, key, "nfse-unsent", fmt::format("{}: {}", code, message));
    });
}

Result<bool> cancel_unauthorized_nfse(Ledger& ledger, std::int64_t run, std::int64_t key,
                                      std::string_view status, std::int64_t attempts)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse SET status = 'cancelled', last_run = ? WHERE id = ? AND status = ? AND attempts = ? AND "
            "status IN ('pending', 'signed', 'rejected')");
        stmt.bind(1, run).bind(2, key).bind(3, status).bind(4, attempts).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return false;
        }
        event(ledger, run, key, "nfse-cancelled", fmt::format("never authorized ({}): no event needed", status));
        return true;
    });
}

Result<bool> record_nfse_cancelled(Ledger& ledger, std::int64_t run, std::int64_t key, std::string_view detail)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse SET status = 'cancelled', error_code = NULL, error_message = NULL, last_run = ? WHERE "
            "id = ? AND status IN ('authorized', 'authorized-after-cancel')");
        stmt.bind(1, run).bind(2, key).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return false;
        }
        event(ledger, run, key, "nfse-cancelled", detail);
        return true;
    });
}

Result<std::vector<NfseRecord>> nfse_of_run(Ledger& ledger, std::int64_t run, std::int64_t after, int limit)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_NFSE_SELECT "WHERE n.last_run = ? AND n.id > ? ORDER BY n.id LIMIT ?");
        stmt.bind(1, run).bind(2, after).bind(3, limit);
        return read_all(stmt, false);
    });
}

}  // namespace billrun::ledger
