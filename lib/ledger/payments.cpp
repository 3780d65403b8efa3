// Payments, reconciled files and customer credits.
#include <billrun/ledger/payments.hpp>

#include <fmt/format.h>

#include "events.hpp"
#include "guard.hpp"
#include "rows.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

namespace {

#define BILLRUN_PAYABLE_SELECT                                                                              \
    "SELECT i.id, i.series || '-' || printf('%06d', i.number), i.customer, c.tax_id, i.status, i.issue_date, " \
    "i.due_date, i.net, i.balance FROM invoices i JOIN customers c ON c.id = i.customer "

PayableInvoice read_payable(const sql::Statement& stmt, int first = 0)
{
    PayableInvoice p;
    p.key = stmt.column_int(first + 0);
    p.id = stmt.column_text(first + 1);
    p.customer = stmt.column_text(first + 2);
    p.customer_tax_id = stmt.column_text(first + 3);
    p.status = stmt.column_text(first + 4);
    p.issue_date = date_of(stmt.column_text(first + 5));
    p.due_date = date_of(stmt.column_text(first + 6));
    p.net = stmt.column_int(first + 7);
    p.balance = stmt.column_int(first + 8);
    return p;
}

// The payment's key, or nullopt (nothing written) when the ledger holds its source key or its
// settlement already: the unique indexes are the check, so the row is looked up once.
std::optional<std::int64_t> insert_payment(Ledger& ledger, std::int64_t run, const Payment& p)
{
    auto& stmt = ledger.statement(
        "INSERT INTO payments (source_key, source, record, invoice, boleto, nosso_numero, date, amount, interest, "
        "fine, fee, credit_date, status, reason, run, settlement) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT DO NOTHING");
    stmt.bind(1, p.source_key).bind(2, p.source).bind(3, p.record).bind(4, p.invoice).bind(5, p.boleto);
    stmt.bind(6, p.nosso_numero.empty() ? std::nullopt : std::optional<std::string>(p.nosso_numero));
    stmt.bind(7, p.date.iso()).bind(8, p.amount).bind(9, p.interest).bind(10, p.fine).bind(11, p.fee);
    stmt.bind(12, p.credit_date ? std::optional<std::string>(p.credit_date->iso()) : std::nullopt);
    stmt.bind(13, p.status).bind(14, p.reason.empty() ? std::nullopt : std::optional<std::string>(p.reason));
    stmt.bind(15, run).bind(16, p.settlement).run();
    if (sqlite3_changes(ledger.db()) == 0) {
        return std::nullopt;
    }
    return sqlite3_last_insert_rowid(ledger.db());
}

}  // namespace

Result<bool> file_reconciled(Ledger& ledger, std::string_view hash)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT 1 FROM reconciled_files WHERE hash = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, hash);
        return stmt.step();
    });
}

Result<void> record_reconciled_file(Ledger& ledger, std::int64_t run, std::string_view hash, std::string_view name,
                                    std::string_view format, std::int64_t records)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO reconciled_files (hash, name, format, records, run) VALUES (?,?,?,?,?)");
        stmt.bind(1, hash).bind(2, name).bind(3, format).bind(4, records).bind(5, run).run();
        insert_event(ledger, run, "file", hash, "reconciled", fmt::format("{} ({} record(s))", name, records));
    });
}

Result<bool> payment_seen(Ledger& ledger, std::string_view source_key)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT 1 FROM payments WHERE source_key = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, source_key);
        return stmt.step();
    });
}

std::string settlement_key(std::int64_t boleto, Date date, Centavos amount, int n)
{
    return fmt::format("boleto:{}:{}:{}:{}", boleto, date.iso(), amount, n);
}

Result<std::optional<std::string>> settlement_applied(Ledger& ledger, std::string_view settlement)
{
    return guard([&]() -> std::optional<std::string> {
        auto& stmt = ledger.statement("SELECT source, record FROM payments WHERE settlement = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, settlement);
        if (!stmt.step()) {
            return std::nullopt;
        }
        return fmt::format("{} record {}", stmt.column_text(0), stmt.column_text(1));
    });
}

Result<std::vector<BoletoMatch>> boletos_by_nosso_numero(Ledger& ledger, std::string_view bank, std::string_view field)
{
    return guard([&] {
        const auto strip = [](std::string_view s) {
            auto nonzero = s.find_first_not_of('0');
            return std::string(nonzero == std::string_view::npos ? std::string_view() : s.substr(nonzero));
        };
        const std::string whole = strip(field);
        const std::string number = field.size() > 1 ? strip(field.substr(0, field.size() - 1)) : std::string();
        const std::string dv = field.empty() ? std::string() : std::string(field.substr(field.size() - 1));
        // Two index lookups on (bank, nosso_key): an OR across them would scan the bank's boletos.
        auto& stmt = ledger.statement(
            "SELECT b.id, 0, i.id, i.series || '-' || printf('%06d', i.number), i.customer, c.tax_id, i.status, "
            "i.issue_date, i.due_date, i.net, i.balance FROM boletos b JOIN invoices i ON i.id = b.invoice "
            "JOIN customers c ON c.id = i.customer WHERE b.bank = ?1 AND b.nosso_key = ?2 "
            "AND NOT (b.nosso_key = ?3 AND b.nosso_numero_dv = ?4) "
            "UNION ALL "
            "SELECT b.id, 1, i.id, i.series || '-' || printf('%06d', i.number), i.customer, c.tax_id, i.status, "
            "i.issue_date, i.due_date, i.net, i.balance FROM boletos b JOIN invoices i ON i.id = b.invoice "
            "JOIN customers c ON c.id = i.customer WHERE b.bank = ?1 AND b.nosso_key = ?3 AND b.nosso_numero_dv = ?4 "
            "LIMIT 10");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, bank).bind(2, whole).bind(3, number).bind(4, dv);
        std::vector<BoletoMatch> out;
        while (stmt.step()) {
            out.push_back(BoletoMatch{stmt.column_int(0), read_payable(stmt, 2), stmt.column_int(1) == 1});
        }
        return out;
    });
}

Result<std::vector<BoletoMatch>> boletos_by_nosso_numero_preferring(Ledger& ledger, std::string_view bank,
                                                                    std::string_view field, bool dv_first)
{
    return guard([&] {
        const auto strip = [](std::string_view s) {
            auto nonzero = s.find_first_not_of('0');
            // "" rather than a null view: a null pointer would bind NULL, not ''.
            return nonzero == std::string_view::npos ? std::string_view("") : s.substr(nonzero);
        };
        const std::string_view whole = strip(field);
        const std::string_view number = field.size() > 1 ? strip(field.substr(0, field.size() - 1)) : std::string_view("");
        const std::string_view dv = field.empty() ? std::string_view("") : field.substr(field.size() - 1);
        // One index probe on (bank, nosso_key) in the common case; no customer row (reconcile
        // does not need the tax id of a boleto's payer).
        auto& as_dv = ledger.statement(
            "SELECT b.id, i.id, i.series || '-' || printf('%06d', i.number), i.customer, i.status, i.issue_date, "
            "i.due_date, i.net, i.balance FROM boletos b JOIN invoices i ON i.id = b.invoice "
            "WHERE b.bank = ?1 AND b.nosso_key = ?2 AND b.nosso_numero_dv = ?3 LIMIT 10");
        auto& as_whole = ledger.statement(
            "SELECT b.id, i.id, i.series || '-' || printf('%06d', i.number), i.customer, i.status, i.issue_date, "
            "i.due_date, i.net, i.balance FROM boletos b JOIN invoices i ON i.id = b.invoice "
            "WHERE b.bank = ?1 AND b.nosso_key = ?2 AND NOT (b.nosso_key = ?3 AND b.nosso_numero_dv = ?4) LIMIT 10");
        std::vector<BoletoMatch> out;
        for (int pass = 0; pass < 2 && out.empty(); ++pass) {
            const bool want_dv = (pass == 0) == dv_first;
            auto& stmt = want_dv ? as_dv : as_whole;
            sql::ResetGuard reset(stmt);
            if (want_dv) {
                stmt.bind(1, bank).bind(2, number).bind(3, dv);
            } else {
                stmt.bind(1, bank).bind(2, whole).bind(3, number).bind(4, dv);
            }
            while (stmt.step()) {
                BoletoMatch m;
                m.boleto = stmt.column_int(0);
                m.dv_checked = want_dv;
                m.invoice.key = stmt.column_int(1);
                m.invoice.id = stmt.column_text(2);
                m.invoice.customer = stmt.column_text(3);
                m.invoice.status = stmt.column_text(4);
                m.invoice.issue_date = date_of(stmt.column_text(5));
                m.invoice.due_date = date_of(stmt.column_text(6));
                m.invoice.net = stmt.column_int(7);
                m.invoice.balance = stmt.column_int(8);
                out.push_back(std::move(m));
            }
        }
        return out;
    });
}

Result<void> use_for_reading_ahead(Ledger& ledger)
{
    return guard([&] { sql::exec(ledger.db(), "PRAGMA cache_size = -8192"); });
}

Result<void> in_read_transaction(Ledger& ledger, const std::function<Result<void>()>& reads)
{
    if (auto begun = guard([&] { sql::exec(ledger.db(), "BEGIN"); }); !begun) {
        return begun;
    }
    auto done = reads();
    auto ended = guard([&] { sql::exec(ledger.db(), "COMMIT"); });
    return done ? ended : done;
}

Result<std::optional<PayableInvoice>> payable_invoice(Ledger& ledger, std::int64_t key)
{
    return guard([&]() -> std::optional<PayableInvoice> {
        auto& stmt = ledger.statement(BILLRUN_PAYABLE_SELECT "WHERE i.id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, key);
        if (!stmt.step()) {
            return std::nullopt;
        }
        return read_payable(stmt);
    });
}

Result<std::optional<PayableInvoice>> payable_invoice_by_id(Ledger& ledger, std::string_view id)
{
    return guard([&]() -> std::optional<PayableInvoice> {
        // "A-000123": the series, then the number after the last '-' (through invoices_number).
        const auto dash = id.rfind('-');
        if (dash == std::string_view::npos || dash + 1 >= id.size() ||
            id.find_first_not_of("0123456789", dash + 1) != std::string_view::npos || id.size() - dash > 19) {
            return std::nullopt;
        }
        auto& stmt = ledger.statement(BILLRUN_PAYABLE_SELECT "WHERE i.series = ? AND i.number = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id.substr(0, dash)).bind(2, static_cast<std::int64_t>(std::stoll(std::string(id.substr(dash + 1)))));
        if (!stmt.step()) {
            return std::nullopt;
        }
        return read_payable(stmt);
    });
}

Result<std::vector<PayableInvoice>> open_invoices_with_balance(Ledger& ledger, Centavos balance, Date date,
                                                               std::string_view tax_id)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_PAYABLE_SELECT
                                      "WHERE i.status IN ('issued', 'partly-paid') AND i.balance = ?1 AND "
                                      "i.issue_date <= ?2 AND (?3 = '' OR c.tax_id = ?3) ORDER BY i.id LIMIT 20");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, balance).bind(2, date.iso()).bind(3, tax_id);
        std::vector<PayableInvoice> out;
        while (stmt.step()) {
            out.push_back(read_payable(stmt));
        }
        return out;
    });
}

Result<std::vector<PayableInvoice>> open_invoices_of_payer(Ledger& ledger, std::string_view tax_id, Date date)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_PAYABLE_SELECT
                                      "WHERE c.tax_id = ?1 AND i.status IN ('issued', 'partly-paid') AND "
                                      "i.issue_date <= ?2 ORDER BY i.id LIMIT 200");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, tax_id).bind(2, date.iso());
        std::vector<PayableInvoice> out;
        while (stmt.step()) {
            out.push_back(read_payable(stmt));
        }
        return out;
    });
}

namespace {

// Rows a batch writes through one statement; the rest go one by one.
constexpr std::size_t k_rows_per_statement = 64;

// `head`, then `row` k_rows_per_statement times separated by commas, then `tail`.
std::string repeated_rows(std::string_view head, std::string_view row, std::string_view tail)
{
    std::string sql(head);
    for (std::size_t i = 0; i < k_rows_per_statement; ++i) {
        if (i > 0) {
            sql += ',';
        }
        sql += row;
    }
    sql += tail;
    return sql;
}

// Writes `rows` through `many` (k_rows_per_statement of them a statement), the rest through
// `one`; bind(stmt, first, row) binds a row's parameters from index `first` and says how many.
template <typename Row, typename Bind>
void write_rows(Ledger& ledger, const std::vector<Row>& rows, const std::string& many, const char* one, Bind bind)
{
    std::size_t i = 0;
    for (; i + k_rows_per_statement <= rows.size(); i += k_rows_per_statement) {
        auto& stmt = ledger.statement(many.c_str());
        int first = 1;
        for (std::size_t j = 0; j < k_rows_per_statement; ++j) {
            first += bind(stmt, first, rows[i + j]);
        }
        stmt.run();
    }
    for (; i < rows.size(); ++i) {
        auto& stmt = ledger.statement(one);
        bind(stmt, 1, rows[i]);
        stmt.run();
    }
}

}  // namespace

Result<std::optional<Applied>> PaymentBatch::apply(Ledger& ledger, std::int64_t run, const Payment& payment,
                                                   const PayableInvoice& invoice)
{
    return guard([&]() -> std::optional<Applied> {
        if (m_invoices.size() >= k_held_at_most) {
            write(ledger);
        }
        const auto inserted = insert_payment(ledger, run, payment);
        if (!inserted) {
            return std::nullopt;
        }
        const std::int64_t id = *inserted;
        Centavos principal = payment.amount - payment.interest - payment.fine;
        Applied applied;
        // Money paid on a cancelled invoice (or a draft) settles nothing: all of it is credit.
        const bool open = invoice.status != "cancelled" && invoice.status != "draft";
        Centavos before = open ? invoice.balance : 0;
        applied.balance = std::max<Centavos>(before - principal, 0);
        applied.credit = std::max<Centavos>(principal - before, 0);
        applied.status = !open ? invoice.status : (applied.balance == 0 ? "paid" : "partly-paid");
        m_invoices.push_back(InvoiceChange{invoice.key, applied.balance, applied.status});
        m_events.push_back(InvoiceEvent{run, ledger.next_event_seq(), std::to_string(invoice.key), applied.status,
                                        fmt::format("payment {} of {} ({}): balance {} -> {}", id,
                                                    format_money(payment.amount), payment.source,
                                                    format_money(before), format_money(applied.balance))});
        if (applied.credit > 0) {
            auto& credit = ledger.statement(
                "INSERT INTO customer_credits (customer, amount, payment, run) VALUES (?, ?, ?, ?)");
            credit.bind(1, invoice.customer).bind(2, applied.credit).bind(3, id).bind(4, run).run();
            insert_event(ledger, run, "customer", invoice.customer, "credited",
                         fmt::format("{} overpaid on {}", format_money(applied.credit), invoice.id));
        }
        if (payment.boleto && open) {
            m_boletos.push_back(BoletoChange{*payment.boleto, applied.status});
        }
        return applied;
    });
}

Result<void> PaymentBatch::flush(Ledger& ledger)
{
    return guard([&] { write(ledger); });
}

void PaymentBatch::write(Ledger& ledger)
{
    // An UPDATE ... FROM (VALUES ...) updates each listed row once: a batch holds an
    // invoice (and its boleto) once, as a second payment to it is applied after a flush.
    // OR FAIL: a statement of many rows that fails midway is not undone by itself, so SQLite
    // keeps no statement journal for it (a copy of every page the statement changes, spilled
    // to a temporary file: it tripled the run's writes); the error ends the run, and its
    // transaction is rolled back whole.
    static const std::string invoices = repeated_rows(
        "UPDATE OR FAIL invoices SET balance = v.column2, status = v.column3 FROM (VALUES ", "(?,?,?)",
        ") AS v WHERE invoices.id = v.column1");
    write_rows(ledger, m_invoices, invoices, "UPDATE invoices SET balance = ?2, status = ?3 WHERE id = ?1",
               [](sql::Statement& stmt, int first, const InvoiceChange& c) {
                   stmt.bind(first, c.invoice).bind(first + 1, c.balance).bind(first + 2, c.status);
                   return 3;
               });
    // The events as insert_event writes them, with the seq each took when it happened.
    static const std::string events = repeated_rows(
        "INSERT OR FAIL INTO events (entity, entity_id, run, seq, action, detail) VALUES ", "('invoice',?,?,?,?,?)",
        "");
    write_rows(ledger, m_events, events,
               "INSERT INTO events (entity, entity_id, run, seq, action, detail) VALUES ('invoice',?,?,?,?,?)",
               [](sql::Statement& stmt, int first, const InvoiceEvent& e) {
                   stmt.bind(first, e.invoice).bind(first + 1, e.run).bind(first + 2, e.seq);
                   stmt.bind(first + 3, e.action).bind(first + 4, e.detail);
                   return 5;
               });
    static const std::string boletos = repeated_rows("UPDATE OR FAIL boletos SET status = v.column2 FROM (VALUES ",
                                                     "(?,?)", ") AS v WHERE boletos.id = v.column1");
    write_rows(ledger, m_boletos, boletos, "UPDATE boletos SET status = ?2 WHERE id = ?1",
               [](sql::Statement& stmt, int first, const BoletoChange& c) {
                   stmt.bind(first, c.boleto).bind(first + 1, c.status);
                   return 2;
               });
    m_invoices.clear();
    m_events.clear();
    m_boletos.clear();
}

Result<std::optional<Applied>> apply_payment(Ledger& ledger, std::int64_t run, const Payment& payment,
                                             const PayableInvoice& invoice)
{
    PaymentBatch one;
    auto applied = one.apply(ledger, run, payment, invoice);
    if (!applied || !*applied) {
        return applied;
    }
    if (auto written = one.flush(ledger); !written) {
        return tl::unexpected(written.error());
    }
    return applied;
}

Result<bool> record_payment(Ledger& ledger, std::int64_t run, const Payment& payment)
{
    return guard([&] {
        if (!insert_payment(ledger, run, payment)) {
            return false;
        }
        if (payment.boleto && (payment.status == "rejected" || payment.status == "confirmed" ||
                               payment.status == "written-off")) {
            // A confirmation of the entry (02) that comes after the invoice was cancelled leaves
            // the boleto waiting for, or done with, its write-off.
            auto& boleto = ledger.statement(
                "UPDATE boletos SET status = ?1 WHERE id = ?2 AND status NOT IN ('paid', 'partly-paid') AND "
                "NOT (?1 = 'registered' AND status IN ('write-off', 'written-off'))");
            boleto.bind(1, payment.status == "confirmed" ? "registered" : payment.status).bind(2, *payment.boleto).run();
            insert_event(ledger, run, "boleto", std::to_string(*payment.boleto), payment.status, payment.reason);
        }
        return true;
    });
}

Result<std::vector<std::string>> customers_with_credit(Ledger& ledger)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT customer FROM customer_credits GROUP BY customer HAVING sum(amount) > 0");
        sql::ResetGuard reset(stmt);
        std::vector<std::string> out;
        while (stmt.step()) {
            out.push_back(stmt.column_text(0));
        }
        return out;
    });
}

Result<Centavos> customer_credit(Ledger& ledger, std::string_view customer)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT coalesce(sum(amount), 0) FROM customer_credits WHERE customer = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, customer);
        stmt.step();
        return static_cast<Centavos>(stmt.column_int(0));
    });
}

Result<void> use_customer_credit(Ledger& ledger, std::int64_t run, std::string_view customer, std::int64_t invoice,
                                 Centavos amount)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO customer_credits (customer, amount, invoice, run) VALUES (?, ?, ?, ?)");
        stmt.bind(1, customer).bind(2, -amount).bind(3, invoice).bind(4, run).run();
        insert_event(ledger, run, "customer", customer, "credit-used",
                     fmt::format("{} on invoice key {}", format_money(amount), invoice));
    });
}

}  // namespace billrun::ledger
