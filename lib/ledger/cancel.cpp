// NFS-e events (the cancellation request and the authority's answer) and an invoice's
// cancellation. Events of both go on the invoice (entity "invoice"); the boleto's on it.
#include <billrun/ledger/cancel.hpp>

#include <fmt/format.h>

#include "events.hpp"
#include "guard.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

namespace {

void invoice_event(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::string_view action,
                   std::string_view detail)
{
    insert_event(ledger, run, "invoice", std::to_string(invoice), action, detail);
}

}  // namespace

Result<std::optional<NfseEvent>> nfse_event(Ledger& ledger, std::int64_t nfse, std::string_view type)
{
    return guard([&]() -> std::optional<NfseEvent> {
        auto& stmt = ledger.statement(
            "SELECT id, nfse, type, sequence, request_id, status, code, reason, signed_xml, xml_path, "
            "coalesce(event_path, ''), coalesce(error_code, ''), coalesce(error_message, ''), attempts "
            "FROM nfse_events WHERE nfse = ? AND type = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, nfse).bind(2, type);
        if (!stmt.step()) {
            return std::nullopt;
        }
        NfseEvent e;
        e.key = stmt.column_int(0);
        e.nfse = stmt.column_int(1);
        e.type = stmt.column_text(2);
        e.sequence = stmt.column_int(3);
        e.request_id = stmt.column_text(4);
        e.status = stmt.column_text(5);
        e.code = static_cast<int>(stmt.column_int(6));
        e.reason = stmt.column_text(7);
        e.signed_xml = stmt.column_blob(8);
        e.xml_path = stmt.column_text(9);
        e.event_path = stmt.column_text(10);
        e.error_code = stmt.column_text(11);
        e.error_message = stmt.column_text(12);
        e.attempts = stmt.column_int(13);
        return e;
    });
}

Result<bool> store_signed_event(Ledger& ledger, std::int64_t run, std::int64_t invoice, const NfseEvent& e)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO nfse_events (nfse, type, sequence, request_id, status, code, reason, signed_xml, xml_path, "
            "run, last_run) VALUES (?, ?, ?, ?, 'signed', ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(nfse, type) DO UPDATE SET status = 'signed', code = excluded.code, "
            "reason = excluded.reason, signed_xml = excluded.signed_xml, xml_path = excluded.xml_path, "
            "error_code = NULL, error_message = NULL, last_run = excluded.last_run "
            "WHERE nfse_events.status = 'rejected'");
        stmt.bind(1, e.nfse).bind(2, e.type).bind(3, e.sequence).bind(4, e.request_id).bind(5, e.code);
        stmt.bind(6, e.reason);
        stmt.bind_blob(7, e.signed_xml);
        stmt.bind(8, e.xml_path).bind(9, run).bind(10, run).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return false;
        }
        invoice_event(ledger, run, invoice, "nfse-cancel-signed",
                      fmt::format("{} (code {}): {}", e.xml_path, e.code, e.reason));
        return true;
    });
}

Result<bool> record_event_attempt(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t key)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse_events SET attempts = attempts + 1, last_run = ? WHERE id = ? AND status = 'signed' "
            "RETURNING attempts");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, run).bind(2, key);
        if (!stmt.step()) {
            return false;
        }
        std::int64_t n = stmt.column_int(0);
        while (stmt.step()) {
        }
        invoice_event(ledger, run, invoice, "nfse-cancel-sending", fmt::format("attempt {}", n));
        return true;
    });
}

Result<void> record_event_registered(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t key,
                                     std::string_view event_xml, std::string_view path, std::string_view how)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse_events SET status = 'registered', event_xml = ?, event_path = ?, error_code = NULL, "
            "error_message = NULL, last_run = ? WHERE id = ?");
        stmt.bind_blob(1, event_xml);
        stmt.bind(2, path).bind(3, run).bind(4, key).run();
        invoice_event(ledger, run, invoice, "nfse-cancel-registered", fmt::format("{} ({})", path, how));
    });
}

Result<void> record_event_rejected(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t key,
                                   std::string_view code, std::string_view message)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse_events SET status = 'rejected', error_code = ?, error_message = ?, last_run = ? "
            "WHERE id = ?");
        stmt.bind(1, code).bind(2, message).bind(3, run).bind(4, key).run();
        invoice_event(ledger, run, invoice, "nfse-cancel-rejected", fmt::format("{}: {}", code, message));
    });
}

Result<void> record_event_unsent(Ledger& ledger, std::int64_t run, std::int64_t invoice, std::int64_t key,
                                 std::string_view code, std::string_view message)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE nfse_events SET error_code = ?, error_message = ?, last_run = ? WHERE id = ?");
        stmt.bind(1, code).bind(2, message).bind(3, run).bind(4, key).run();
        invoice_event(ledger, run, invoice, "nfse-cancel-unsent", fmt::format("{}: {}", code, message));
    });
}

Result<bool> invoice_has_payments(Ledger& ledger, std::int64_t invoice)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT 1 FROM payments WHERE invoice = ? AND status = 'applied' LIMIT 1");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, invoice);
        return stmt.step();
    });
}

Result<CancelEffects> cancel_invoice_records(Ledger& ledger, std::int64_t run, std::int64_t invoice,
                                             std::string_view detail)
{
    return guard([&] {
        CancelEffects effects;
        auto& update = ledger.statement("UPDATE invoices SET status = 'cancelled' WHERE id = ? AND status = 'issued'");
        update.bind(1, invoice).run();
        if (sqlite3_changes(ledger.db()) == 0) {
            return effects;
        }
        effects.cancelled = true;
        invoice_event(ledger, run, invoice, "cancelled", detail);

        // A boleto that a remessa registered (its entry not rejected by the bank) waits for the
        // next remessa's pedido de baixa; read before the status below changes.
        bool by_remessa = false;
        {
            auto& registered = ledger.statement(
                "SELECT 1 FROM boletos WHERE invoice = ? AND remessa IS NOT NULL AND status != 'rejected'");
            sql::ResetGuard reset(registered);
            registered.bind(1, invoice);
            by_remessa = registered.step();
        }
        auto& boleto = ledger.statement(
            "UPDATE boletos SET status = 'write-off' WHERE invoice = ? AND "
            "status NOT IN ('paid', 'partly-paid', 'written-off', 'write-off') RETURNING id, nosso_numero_display");
        {
            sql::ResetGuard reset(boleto);
            boleto.bind(1, invoice);
            if (boleto.step()) {
                std::int64_t key = boleto.column_int(0);
                effects.boleto = boleto.column_text(1);
                while (boleto.step()) {
                }
                insert_event(ledger, run, "boleto", std::to_string(key), "write-off-requested",
                             fmt::format("invoice cancelled: {}", detail));
                if (by_remessa) {
                    auto& waiting = ledger.statement(
                        "INSERT INTO remessa_write_offs (boleto) VALUES (?) ON CONFLICT DO NOTHING");
                    waiting.bind(1, key).run();
                    effects.write_off_by_remessa = true;
                }
            }
        }

        // Credit the invoice used (negative rows naming it) goes back to its customer.
        auto& used = ledger.statement(
            "SELECT i.customer, -coalesce(sum(c.amount), 0) FROM invoices i LEFT JOIN customer_credits c "
            "ON c.invoice = i.id AND c.payment IS NULL WHERE i.id = ? GROUP BY i.id");
        std::string customer;
        {
            sql::ResetGuard reset(used);
            used.bind(1, invoice);
            if (used.step()) {
                customer = used.column_text(0);
                effects.credit_returned = static_cast<Centavos>(used.column_int(1));
            }
        }
        if (effects.credit_returned > 0) {
            auto& give = ledger.statement(
                "INSERT INTO customer_credits (customer, amount, invoice, run) VALUES (?, ?, ?, ?)");
            give.bind(1, customer).bind(2, effects.credit_returned).bind(3, invoice).bind(4, run).run();
            insert_event(ledger, run, "customer", customer, "credited",
                         fmt::format("{} given back: invoice key {} cancelled", format_money(effects.credit_returned),
                                     invoice));
        }
        return effects;
    });
}

}  // namespace billrun::ledger
