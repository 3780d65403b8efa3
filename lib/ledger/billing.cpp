// Invoices, charges and series numbers: what cycle and approve keep in the ledger.
#include <billrun/ledger/billing.hpp>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include <billrun/core/text.hpp>

#include "fields.hpp"
#include "events.hpp"
#include "guard.hpp"
#include "rows.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

std::string Invoice::display_id() const
{
    return display_id(series, number);
}

std::string Invoice::display_id(std::string_view series, std::optional<std::int64_t> number)
{
    if (!number) {
        return {};
    }
    if (*number < 0) {
        return fmt::format("{}-{:06}", series, *number);  // never made; kept as fmt writes it
    }
    // "A-000123": one of the most written strings (each invoice's document), so without fmt.
    const auto digits = fmt::format_int(*number);
    std::string id;
    id.reserve(series.size() + 1 + std::max<std::size_t>(digits.size(), 6));
    id.append(series);
    id += '-';
    if (digits.size() < 6) {
        id.append(6 - digits.size(), '0');
    }
    id.append(digits.data(), digits.size());
    return id;
}

namespace {

std::optional<std::int64_t> opt(const std::optional<Centavos>& v)
{
    return v ? std::optional<std::int64_t>(*v) : std::nullopt;
}

}  // namespace

Result<std::vector<BillableContract>> contracts_after(Ledger& ledger, std::string_view after, int limit)
{
    return guard([&] {
        std::vector<BillableContract> batch;
        auto& stmt = ledger.statement(
            "SELECT " BILLRUN_CONTRACT_COLUMNS("c.") ", cu.tax_id, cu.iss_withheld, "
            "(SELECT i.period_index FROM invoices i WHERE i.contract = c.id ORDER BY i.period_start DESC LIMIT 1) "
            "FROM contracts c JOIN customers cu ON cu.id = c.customer WHERE c.id > ? ORDER BY c.id LIMIT ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, after).bind(2, limit);
        while (stmt.step()) {
            BillableContract b;
            b.contract = read_contract_row(stmt);
            b.customer_tax_id = stmt.column_text(k_contract_column_count);
            b.customer_iss_withheld = stmt.column_int(k_contract_column_count + 1) != 0;
            b.last_period = stmt.column_opt_int(k_contract_column_count + 2);
            batch.push_back(std::move(b));
        }
        if (batch.empty()) {
            return batch;
        }
        auto& items = ledger.statement(
            "SELECT contract, service, quantity, price FROM contract_items "
            "WHERE contract >= ? AND contract <= ? ORDER BY contract, position");
        sql::ResetGuard reset_items(items);
        items.bind(1, batch.front().contract.id).bind(2, batch.back().contract.id);
        std::size_t at = 0;
        while (items.step()) {
            std::string contract = items.column_text(0);
            while (at < batch.size() && batch[at].contract.id < contract) {
                ++at;
            }
            if (at == batch.size()) {
                break;
            }
            if (batch[at].contract.id == contract) {
                batch[at].contract.items.push_back(
                    ContractItem{items.column_text(1), items.column_int(2), items.column_opt_int(3)});
            }
        }
        return batch;
    });
}

Result<std::unordered_map<std::string, Service>> all_services(Ledger& ledger)
{
    return guard([&] {
        std::unordered_map<std::string, Service> services;
        auto& stmt = ledger.statement("SELECT id, description, unit_price, service_code, iss_rate FROM services");
        sql::ResetGuard reset(stmt);
        while (stmt.step()) {
            Service s;
            s.id = stmt.column_text(0);
            s.description = stmt.column_text(1);
            s.unit_price = stmt.column_opt_int(2);
            s.service_code = stmt.column_text(3);
            if (auto rate = stmt.column_opt_int(4)) {
                s.iss_rate = static_cast<Rate>(*rate);
            }
            services.emplace(s.id, std::move(s));
        }
        return services;
    });
}

Result<std::int64_t> last_series_number(Ledger& ledger, std::string_view series)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT last_number FROM series_numbers WHERE series = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, series);
        return stmt.step() ? stmt.column_int(0) : std::int64_t{0};
    });
}

Result<void> store_series_number(Ledger& ledger, std::string_view series, std::int64_t last)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO series_numbers (series, last_number) VALUES (?, ?) "
            "ON CONFLICT(series) DO UPDATE SET last_number = excluded.last_number");
        stmt.bind(1, series).bind(2, last).run();
    });
}

namespace {

// The invoice's lines as `invoices.lines` keeps them (schema v15): a JSON array of
// [service, description, quantity, unit_price, amount, iss_rate, iss, charge or null].
void lines_json(std::string& out, const std::vector<InvoiceLine>& lines)
{
    out.clear();
    out += '[';
    for (const InvoiceLine& l : lines) {
        out += out.size() == 1 ? "[" : ",[";
        append_json_string(out, l.service);
        out += ',';
        append_json_string(out, l.description);
        for (std::int64_t n : {l.quantity, l.unit_price, l.amount, static_cast<std::int64_t>(l.iss_rate), l.iss}) {
            char digits[24];
            auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
            out += ',';
            out.append(digits, end);
        }
        out += ',';
        if (l.charge.empty()) {
            out += "null";
        } else {
            append_json_string(out, l.charge);
        }
        out += ']';
    }
    out += ']';
}

}  // namespace

InvoiceText invoice_text(const Invoice& inv)
{
    InvoiceText text;
    if (inv.period_start) {
        inv.period_start->append_iso(text.period_start);
    }
    if (inv.period_end) {
        inv.period_end->append_iso(text.period_end);
    }
    inv.issue_date.append_iso(text.issue_date);
    inv.due_date.append_iso(text.due_date);
    lines_json(text.lines, inv.lines);
    return text;
}

Result<std::optional<std::int64_t>> insert_invoice(Ledger& ledger, std::int64_t run, const Invoice& inv,
                                                   const InvoiceText& text)
{
    return guard([&]() -> std::optional<std::int64_t> {
        auto& stmt = ledger.statement(
            "INSERT INTO invoices (series, number, status, customer, contract, period_index, period_start, "
            "period_end, issue_date, due_date, gross, iss, iss_withheld, pis, cofins, csll, irrf, inss, withheld, "
            "net, balance, payment_method, bank_account, run, lines) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        // Text left empty is NULL (a contract or period the invoice does not have).
        auto bind_or_null = [&stmt](int index, const std::string& value) {
            if (value.empty()) {
                stmt.bind_null(index);
            } else {
                stmt.bind(index, value);
            }
        };
        stmt.bind(1, inv.series).bind(2, inv.number).bind(3, inv.status).bind(4, inv.customer);
        bind_or_null(5, inv.contract);
        stmt.bind(6, inv.period_index);
        bind_or_null(7, text.period_start);
        bind_or_null(8, text.period_end);
        stmt.bind(9, text.issue_date).bind(10, text.due_date);
        stmt.bind(11, inv.gross).bind(12, inv.iss).bind(13, inv.iss_withheld).bind(14, inv.pis);
        stmt.bind(15, inv.cofins).bind(16, inv.csll).bind(17, inv.irrf).bind(18, inv.inss);
        stmt.bind(19, inv.withheld).bind(20, inv.net).bind(21, inv.balance).bind(22, inv.payment_method);
        stmt.bind(23, inv.bank_account).bind(24, run).bind(25, text.lines);
        try {
            stmt.run();
        } catch (const sql::SqliteError& e) {
            if (e.code() == SQLITE_CONSTRAINT_UNIQUE && std::string_view(e.what()).find("period_start") != std::string_view::npos) {
                return std::nullopt;
            }
            throw;
        }
        std::int64_t key = sqlite3_last_insert_rowid(ledger.db());
        for (std::size_t i = 0; i < inv.lines.size(); ++i) {
            if (inv.lines[i].charge.empty()) {
                continue;
            }
            // A charge is billed once, ever: its key refuses a second line.
            auto& billed = ledger.statement("INSERT INTO billed_charges (charge, invoice, position) VALUES (?,?,?)");
            billed.bind(1, inv.lines[i].charge).bind(2, key).bind(3, static_cast<std::int64_t>(i + 1)).run();
        }
        return key;
    });
}

namespace {

Charge read_charge(const sql::Statement& stmt)
{
    Charge c;
    c.id = stmt.column_text(0);
    c.customer = stmt.column_text(1);
    c.contract = stmt.column_text(2);
    c.date = date_of(stmt.column_text(3));
    c.service = stmt.column_text(4);
    c.quantity = stmt.column_int(5);
    c.price = stmt.column_opt_int(6);
    c.description = stmt.column_text(7);
    return c;
}

}  // namespace

Result<std::vector<Charge>> unbilled_charges_of_contract(Ledger& ledger, std::string_view contract,
                                                         std::string_view as_of)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT id, customer, coalesce(contract, ''), date, service, quantity, price, description FROM charges "
            "WHERE invoice IS NULL AND contract = ? AND date <= ? ORDER BY date, id");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, contract).bind(2, as_of);
        std::vector<Charge> charges;
        while (stmt.step()) {
            charges.push_back(read_charge(stmt));
        }
        return charges;
    });
}

Result<std::vector<Charge>> unbilled_loose_charges(Ledger& ledger, std::string_view as_of)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT id, customer, coalesce(contract, ''), date, service, quantity, price, description FROM charges "
            "WHERE invoice IS NULL AND contract IS NULL AND date <= ? ORDER BY customer, date, id");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, as_of);
        std::vector<Charge> charges;
        while (stmt.step()) {
            charges.push_back(read_charge(stmt));
        }
        return charges;
    });
}

Result<std::vector<std::string>> contracts_with_unbilled_charges(Ledger& ledger, std::string_view as_of)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "SELECT DISTINCT contract FROM charges WHERE invoice IS NULL AND contract IS NOT NULL AND date <= ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, as_of);
        std::vector<std::string> ids;
        while (stmt.step()) {
            ids.push_back(stmt.column_text(0));
        }
        return ids;
    });
}

Result<std::pair<std::string, bool>> customer_tax_facts(Ledger& ledger, std::string_view customer)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT tax_id, iss_withheld FROM customers WHERE id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, customer);
        if (!stmt.step()) {
            return std::pair<std::string, bool>{};
        }
        return std::pair<std::string, bool>{stmt.column_text(0), stmt.column_int(1) != 0};
    });
}

Result<void> mark_charge_billed(Ledger& ledger, std::string_view charge, std::int64_t invoice)
{
    return guard([&] {
        auto& stmt = ledger.statement("UPDATE charges SET invoice = ? WHERE id = ? AND invoice IS NULL");
        stmt.bind(1, invoice).bind(2, charge).run();
        if (sqlite3_changes(ledger.db()) != 1) {
            throw sql::SqliteError(SQLITE_CONSTRAINT, fmt::format("charge '{}' is already billed", charge));
        }
    });
}

Result<bool> contract_exists(Ledger& ledger, std::string_view id)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT 1 FROM contracts WHERE id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id);
        return stmt.step();
    });
}

Result<bool> contract_billed(Ledger& ledger, std::string_view id)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT 1 FROM invoices WHERE contract = ? AND period_start IS NOT NULL LIMIT 1");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id);
        return stmt.step();
    });
}

Result<std::optional<std::int64_t>> contract_period_billed(Ledger& ledger, std::string_view id,
                                                           std::string_view period_end)
{
    return guard([&]() -> std::optional<std::int64_t> {
        auto& stmt = ledger.statement(
            "SELECT period_index FROM invoices WHERE contract = ? AND period_end = ? AND period_index IS NOT NULL LIMIT 1");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id).bind(2, period_end);
        if (!stmt.step()) {
            return std::nullopt;
        }
        return stmt.column_int(0);
    });
}

Result<UpsertResult> upsert_charge(Ledger& ledger, std::int64_t run, const Charge& r)
{
    return guard([&]() -> UpsertResult {
        FieldList fields{{"customer", r.customer},
                         {"contract", r.contract},
                         {"date", r.date.iso()},
                         {"service", r.service},
                         {"quantity", format_quantity(r.quantity)},
                         {"price", r.price ? format_money(*r.price) : std::string()},
                         {"description", r.description}};
        std::int64_t hash = content_hash(fields);
        auto& find = ledger.statement("SELECT content_hash, run, invoice IS NOT NULL FROM charges WHERE id = ?");
        std::optional<std::tuple<std::int64_t, std::int64_t, bool>> existing;
        {
            sql::ResetGuard reset(find);
            find.bind(1, r.id);
            if (find.step()) {
                existing.emplace(find.column_int(0), find.column_int(1), find.column_int(2) != 0);
            }
        }
        if (existing && std::get<0>(*existing) == hash) {
            return {UpsertOutcome::unchanged, {}};
        }
        if (existing && (std::get<1>(*existing) == run || std::get<2>(*existing))) {
            // Same id twice in this import, or a change to a charge already billed.
            return {UpsertOutcome::duplicate, {}};
        }
        auto& stmt = ledger.statement(
            "INSERT INTO charges (id, customer, contract, date, service, quantity, price, description, content_hash, run) "
            "VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET customer=excluded.customer, "
            "contract=excluded.contract, date=excluded.date, service=excluded.service, quantity=excluded.quantity, "
            "price=excluded.price, description=excluded.description, content_hash=excluded.content_hash, run=excluded.run");
        stmt.bind(1, r.id).bind(2, r.customer);
        stmt.bind(3, r.contract.empty() ? std::nullopt : std::optional<std::string>(r.contract));
        stmt.bind(4, r.date.iso()).bind(5, r.service).bind(6, r.quantity).bind(7, opt(r.price));
        stmt.bind(8, r.description).bind(9, hash).bind(10, run).run();
        insert_event(ledger, run, "charge", r.id, existing ? "updated" : "created");
        return {existing ? UpsertOutcome::updated : UpsertOutcome::created, {}};
    });
}

namespace {

std::optional<Invoice> read_invoice(Ledger& ledger, sql::Statement& stmt)
{
    if (!stmt.step()) {
        return std::nullopt;
    }
    Invoice inv;
    inv.key = stmt.column_int(0);
    inv.series = stmt.column_text(1);
    inv.number = stmt.column_opt_int(2);
    inv.status = stmt.column_text(3);
    inv.customer = stmt.column_text(4);
    inv.contract = stmt.column_text(5);
    inv.period_index = stmt.column_opt_int(6);
    if (auto v = stmt.column_opt_text(7)) {
        inv.period_start = date_of(*v);
    }
    if (auto v = stmt.column_opt_text(8)) {
        inv.period_end = date_of(*v);
    }
    inv.issue_date = date_of(stmt.column_text(9));
    inv.due_date = date_of(stmt.column_text(10));
    inv.gross = stmt.column_int(11);
    inv.iss = stmt.column_int(12);
    inv.iss_withheld = stmt.column_int(13) != 0;
    inv.pis = stmt.column_int(14);
    inv.cofins = stmt.column_int(15);
    inv.csll = stmt.column_int(16);
    inv.irrf = stmt.column_int(17);
    inv.inss = stmt.column_int(18);
    inv.withheld = stmt.column_int(19);
    inv.net = stmt.column_int(20);
    inv.balance = stmt.column_int(21);
    inv.payment_method = stmt.column_text(22);
    inv.bank_account = stmt.column_text(23);
    stmt.reset();
    auto& lines = ledger.statement(
        "SELECT service, description, quantity, unit_price, amount, iss_rate, iss, coalesce(charge, '') "
        "FROM invoice_lines WHERE invoice = ? ORDER BY position");
    sql::ResetGuard reset(lines);
    lines.bind(1, inv.key);
    while (lines.step()) {
        inv.lines.push_back(InvoiceLine{lines.column_text(0), lines.column_text(1), lines.column_int(2),
                                        lines.column_int(3), lines.column_int(4),
                                        static_cast<Rate>(lines.column_int(5)), lines.column_int(6),
                                        lines.column_text(7)});
    }
    return inv;
}

#define BILLRUN_INVOICE_COLUMNS                                                                            \
    "SELECT id, series, number, status, customer, coalesce(contract, ''), period_index, period_start, "     \
    "period_end, issue_date, due_date, gross, iss, iss_withheld, pis, cofins, csll, irrf, inss, withheld, " \
    "net, balance, payment_method, bank_account FROM invoices "

}  // namespace

Result<std::optional<Invoice>> find_invoice_by_key(Ledger& ledger, std::int64_t key)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_INVOICE_COLUMNS "WHERE id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, key);
        return read_invoice(ledger, stmt);
    });
}

Result<std::optional<Invoice>> find_invoice(Ledger& ledger, std::string_view series, std::int64_t number)
{
    return guard([&] {
        auto& stmt = ledger.statement(BILLRUN_INVOICE_COLUMNS "WHERE series = ? AND number = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, series).bind(2, number);
        return read_invoice(ledger, stmt);
    });
}

Result<std::vector<std::int64_t>> draft_keys(Ledger& ledger)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT id FROM invoices WHERE status = 'draft' ORDER BY id");
        sql::ResetGuard reset(stmt);
        std::vector<std::int64_t> keys;
        while (stmt.step()) {
            keys.push_back(stmt.column_int(0));
        }
        return keys;
    });
}

Result<bool> issue_draft(Ledger& ledger, std::int64_t run, std::int64_t key, std::int64_t number)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE invoices SET number = ?, status = CASE WHEN balance = 0 THEN 'paid' ELSE 'issued' END "
            "WHERE id = ? AND status = 'draft'");
        stmt.bind(1, number).bind(2, key).run();
        if (sqlite3_changes(ledger.db()) != 1) {
            return false;
        }
        auto& series = ledger.statement("SELECT series FROM invoices WHERE id = ?");
        std::string name;
        {
            sql::ResetGuard reset(series);
            series.bind(1, key);
            series.step();
            name = series.column_text(0);
        }
        insert_event(ledger, run, "invoice", std::to_string(key), "issued", fmt::format("{}-{:06}", name, number));
        return true;
    });
}

}  // namespace billrun::ledger
