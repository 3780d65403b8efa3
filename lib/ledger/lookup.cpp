#include <billrun/ledger/lookup.hpp>

#include <charconv>

#include <yaml-cpp/yaml.h>

#include <billrun/ledger/billing.hpp>

#include "guard.hpp"
#include "rows.hpp"
#include "sqlite.hpp"

// An invoice's id ("A-000123"; empty for a draft), with `i` the invoices table's alias.
#define BILLRUN_INVOICE_ID "CASE WHEN i.number IS NULL THEN '' ELSE i.series || '-' || printf('%06d', i.number) END"

namespace billrun::ledger {

namespace {

// The counts a run recorded ({"invoices":3,...}); none when they are not such a map.
std::vector<std::pair<std::string, std::int64_t>> counts_of(const std::optional<std::string>& json)
{
    std::vector<std::pair<std::string, std::int64_t>> counts;
    if (!json) {
        return counts;
    }
    try {
        auto node = YAML::Load(*json);
        if (node.IsMap()) {
            for (const auto& entry : node) {
                counts.emplace_back(entry.first.as<std::string>(), entry.second.as<std::int64_t>());
            }
        }
    } catch (const YAML::Exception&) {
        counts.clear();
    }
    return counts;
}

}  // namespace

std::optional<std::int64_t> key_of(std::string_view id)
{
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
    if (ec != std::errc() || end != id.data() + id.size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

Result<std::optional<Invoice>> find_invoice_by_reference(Ledger& ledger, std::string_view id)
{
    if (auto key = key_of(id)) {
        return find_invoice_by_key(ledger, *key);
    }
    auto dash = id.rfind('-');
    auto number = dash == std::string_view::npos ? std::nullopt : key_of(id.substr(dash + 1));
    if (!number) {
        return std::optional<Invoice>();
    }
    return find_invoice(ledger, id.substr(0, dash), *number);
}

Result<std::optional<RunRecord>> find_run(Ledger& ledger, std::int64_t id)
{
    return guard([&]() -> std::optional<RunRecord> {
        auto& stmt = ledger.statement(
            "SELECT id, command, business_date, started, finished, status, counts FROM runs WHERE id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id);
        if (!stmt.step()) {
            return std::nullopt;
        }
        RunRecord r;
        r.run = RunListing{stmt.column_int(0),      stmt.column_text(1),      stmt.column_text(2), stmt.column_text(3),
                           stmt.column_opt_text(4), stmt.column_text(5), stmt.column_opt_text(6)};
        r.counts = counts_of(r.run.counts);
        return r;
    });
}

Result<std::vector<EventCount>> events_of_run(Ledger& ledger, std::int64_t run)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT entity, action, count(*), min(seq), "
            "(SELECT e2.entity_id FROM events e2 WHERE e2.run = e.run AND e2.entity = e.entity "
            "AND e2.action = e.action ORDER BY e2.seq LIMIT 1) "
            "FROM events e WHERE run = ? GROUP BY entity, action ORDER BY min(seq)");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, run);
        std::vector<EventCount> out;
        while (stmt.step()) {
            out.push_back(EventCount{stmt.column_text(0), stmt.column_text(1), stmt.column_int(2), stmt.column_text(4)});
        }
        return out;
    });
}

Result<std::optional<PaymentRecord>> find_payment(Ledger& ledger, std::string_view id)
{
    return guard([&]() -> std::optional<PaymentRecord> {
        auto& stmt = ledger.statement(
            "SELECT p.id, p.source_key, p.source, p.record, p.invoice, p.boleto, coalesce(p.nosso_numero, ''), p.date, "
            "p.amount, p.interest, p.fine, p.fee, p.credit_date, p.status, coalesce(p.reason, ''), p.run, "
            "coalesce(" BILLRUN_INVOICE_ID ", '') FROM payments p LEFT JOIN invoices i ON i.id = p.invoice "
            "WHERE p.id = ?1 OR p.source_key = ?2 ORDER BY p.id LIMIT 1");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, key_of(id).value_or(0)).bind(2, id);
        if (!stmt.step()) {
            return std::nullopt;
        }
        PaymentRecord r;
        r.key = stmt.column_int(0);
        auto& p = r.payment;
        p.source_key = stmt.column_text(1);
        p.source = stmt.column_text(2);
        p.record = stmt.column_text(3);
        p.invoice = stmt.column_opt_int(4);
        p.boleto = stmt.column_opt_int(5);
        p.nosso_numero = stmt.column_text(6);
        p.date = date_of(stmt.column_text(7));
        p.amount = stmt.column_int(8);
        p.interest = stmt.column_int(9);
        p.fine = stmt.column_int(10);
        p.fee = stmt.column_int(11);
        p.credit_date = opt_date_of(stmt.column_opt_text(12));
        p.status = stmt.column_text(13);
        p.reason = stmt.column_text(14);
        r.run = stmt.column_int(15);
        r.invoice_id = stmt.column_text(16);
        return r;
    });
}

namespace {

std::optional<ReminderRecord> read_reminder(sql::Statement& stmt)
{
    sql::ResetGuard reset(stmt);
    if (!stmt.step()) {
        return std::nullopt;
    }
    ReminderRecord r;
    r.key = stmt.column_int(0);
    auto& m = r.reminder;
    m.invoice = stmt.column_int(1);
    m.step = static_cast<int>(stmt.column_int(2));
    m.action = stmt.column_text(3);
    m.channel = stmt.column_text(4);
    m.status = stmt.column_text(5);
    m.business_date = date_of(stmt.column_text(6));
    m.amount_due = stmt.column_int(7);
    m.fine = stmt.column_int(8);
    m.interest = stmt.column_int(9);
    m.message = stmt.column_text(10);
    m.error = stmt.column_text(11);
    r.attempts = stmt.column_int(12);
    r.run = stmt.column_int(13);
    r.invoice_id = stmt.column_text(14);
    return r;
}

#define BILLRUN_REMINDER_SELECT                                                                                   \
    "SELECT r.id, r.invoice, r.step, r.action, r.channel, r.status, r.business_date, r.amount_due, r.fine, "     \
    "r.interest, coalesce(r.message, ''), coalesce(r.error, ''), r.attempts, r.run, " BILLRUN_INVOICE_ID " "      \
    "FROM reminders r JOIN invoices i ON i.id = r.invoice "

}  // namespace

Result<std::optional<ReminderRecord>> find_reminder(Ledger& ledger, std::int64_t key)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_REMINDER_SELECT "WHERE r.id = ?");
        stmt.bind(1, key);
        return read_reminder(stmt);
    });
}

Result<std::optional<ReminderRecord>> find_reminder_of(Ledger& ledger, std::int64_t invoice, int step)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_REMINDER_SELECT "WHERE r.invoice = ? AND r.step = ?");
        stmt.bind(1, invoice).bind(2, step);
        return read_reminder(stmt);
    });
}

Result<std::optional<ChargeRecord>> find_charge(Ledger& ledger, std::string_view id)
{
    return guard([&]() -> std::optional<ChargeRecord> {
        auto& stmt = ledger.statement(
            "SELECT c.id, c.customer, coalesce(c.contract, ''), c.date, c.service, c.quantity, c.price, c.description, "
            "c.invoice, coalesce(" BILLRUN_INVOICE_ID ", '') FROM charges c LEFT JOIN invoices i ON i.id = c.invoice "
            "WHERE c.id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id);
        if (!stmt.step()) {
            return std::nullopt;
        }
        ChargeRecord r;
        r.charge = Charge{stmt.column_text(0), stmt.column_text(1),  stmt.column_text(2),
                          date_of(stmt.column_text(3)), stmt.column_text(4), stmt.column_int(5),
                          stmt.column_opt_int(6), stmt.column_text(7)};
        r.invoice = stmt.column_opt_int(8);
        r.invoice_id = stmt.column_text(9);
        return r;
    });
}

Result<std::optional<RemessaRecord>> find_remessa(Ledger& ledger, std::string_view id)
{
    std::string account;
    std::int64_t key = key_of(id).value_or(0);
    std::int64_t sequence = 0;
    if (auto colon = id.rfind(':'); colon != std::string_view::npos) {
        account = std::string(id.substr(0, colon));
        sequence = key_of(id.substr(colon + 1)).value_or(0);
    }
    return guard([&]() -> std::optional<RemessaRecord> {
        auto& stmt = ledger.statement(
            "SELECT id, account, sequence, layout, path, generated, generated_time, titles, status, run FROM remessas "
            "WHERE id = ?1 OR (account = ?2 AND sequence = ?3)");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, key).bind(2, account).bind(3, sequence);
        if (!stmt.step()) {
            return std::nullopt;
        }
        RemessaRecord r;
        r.remessa = Remessa{stmt.column_int(0),  stmt.column_text(1), stmt.column_int(2), stmt.column_text(3),
                            stmt.column_text(4), stmt.column_text(5), stmt.column_text(6), stmt.column_int(7),
                            stmt.column_text(8)};
        r.run = stmt.column_int(9);
        return r;
    });
}

}  // namespace billrun::ledger
