// Customers, services and contracts: upsert by id with change detection, and lookups.
#include <billrun/ledger/ledger.hpp>

#include <type_traits>

#include "fields.hpp"
#include "events.hpp"
#include "guard.hpp"
#include "rows.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

namespace {

struct Existing {
    std::int64_t hash = 0;
    std::int64_t run = 0;
};

std::optional<Existing> existing_row(Ledger& ledger, const char* sql, std::string_view id)
{
    auto& stmt = ledger.statement(sql);
    sql::ResetGuard reset(stmt);
    stmt.bind(1, id);
    if (!stmt.step()) {
        return std::nullopt;
    }
    return Existing{stmt.column_int(0), stmt.column_int(1)};
}

void event(Ledger& ledger, std::int64_t run, std::string_view entity, std::string_view id,
           std::string_view action, std::string_view detail = {})
{
    insert_event(ledger, run, entity, id, action, detail);
}

std::optional<std::int64_t> opt64(const std::optional<Centavos>& v)
{
    return v ? std::optional<std::int64_t>(*v) : std::nullopt;
}

std::optional<std::int64_t> opt64(const std::optional<int>& v)
{
    return v ? std::optional<std::int64_t>(*v) : std::nullopt;
}

std::optional<std::int64_t> opt64(const std::optional<bool>& v)
{
    return v ? std::optional<std::int64_t>(*v ? 1 : 0) : std::nullopt;
}

// Shared shape of every upsert: insert when new, compare hashes when known, and on a real
// change diff the old and new fields for the event.
template <typename Record>
std::int64_t hash_of(const Record& record)
{
    if constexpr (std::is_same_v<Record, Customer>) {
        return content_hash(record);
    } else {
        return content_hash(fields_of(record));
    }
}

// `write(record, hash, existed)` inserts (existed = false: must report whether a row was
// added, as INSERT .. ON CONFLICT DO NOTHING does) or overwrites (existed = true).
// Records left unchanged by this run, in a temporary table of this connection (rolled back
// with the run's transaction).
void mark_seen(Ledger& ledger, std::string_view entity, std::string_view id)
{
    sql::exec(ledger.db(), "CREATE TEMP TABLE IF NOT EXISTS seen_unchanged "
                           "(entity TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (entity, id)) WITHOUT ROWID");
    auto& stmt = ledger.statement("INSERT OR IGNORE INTO temp.seen_unchanged (entity, id) VALUES (?, ?)");
    stmt.bind(1, entity).bind(2, id).run();
}

bool seen(Ledger& ledger, std::string_view entity, std::string_view id)
{
    sql::exec(ledger.db(), "CREATE TEMP TABLE IF NOT EXISTS seen_unchanged "
                           "(entity TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (entity, id)) WITHOUT ROWID");
    auto& stmt = ledger.statement("SELECT 1 FROM temp.seen_unchanged WHERE entity = ? AND id = ?");
    sql::ResetGuard reset(stmt);
    stmt.bind(1, entity).bind(2, id);
    return stmt.step();
}

template <typename Record, typename Load, typename Write>
UpsertResult upsert(Ledger& ledger, std::int64_t run, const Record& record, std::string_view entity,
                    const char* existing_sql, Load load, Write write)
{
    std::int64_t hash = hash_of(record);
    if (write(record, hash, false)) {
        event(ledger, run, entity, record.id, "created");
        return {UpsertOutcome::created, {}};
    }
    auto existing = existing_row(ledger, existing_sql, record.id);
    if (!existing) {
        throw sql::SqliteError(SQLITE_INTERNAL, "a row that refused an insert cannot be found");
    }
    if (existing->hash == hash) {
        if (existing->run != run) {
            // Remember it was seen, without touching the row: a later row with the same id
            // and other values is then a duplicate.
            mark_seen(ledger, entity, record.id);
        }
        return {UpsertOutcome::unchanged, {}};
    }
    if (existing->run == run || seen(ledger, entity, record.id)) {
        return {UpsertOutcome::duplicate, {}};
    }
    auto before = load(record.id);
    auto changes = before ? diff_fields(fields_of(*before), fields_of(record)) : std::vector<std::string>{};
    write(record, hash, true);
    event(ledger, run, entity, record.id, "updated", join_changes(changes));
    return {UpsertOutcome::updated, std::move(changes)};
}

std::optional<Customer> load_customer(Ledger& ledger, std::string_view id)
{
    auto& stmt = ledger.statement(
        "SELECT id, name, tax_id, email, phone, street, number, complement, district, city, "
        "city_code, state, zip, municipal_registration, iss_withheld, owner FROM customers WHERE id = ?");
    sql::ResetGuard reset(stmt);
    stmt.bind(1, id);
    if (!stmt.step()) {
        return std::nullopt;
    }
    Customer c;
    c.id = stmt.column_text(0);
    c.name = stmt.column_text(1);
    c.tax_id = stmt.column_text(2);
    c.email = stmt.column_text(3);
    c.phone = stmt.column_text(4);
    c.street = stmt.column_text(5);
    c.number = stmt.column_text(6);
    c.complement = stmt.column_text(7);
    c.district = stmt.column_text(8);
    c.city = stmt.column_text(9);
    c.city_code = stmt.column_text(10);
    c.state = stmt.column_text(11);
    c.zip = stmt.column_text(12);
    c.municipal_registration = stmt.column_text(13);
    c.iss_withheld = stmt.column_int(14) != 0;
    c.owner = stmt.column_text(15);
    return c;
}

std::optional<Service> load_service(Ledger& ledger, std::string_view id)
{
    auto& stmt = ledger.statement(
        "SELECT id, description, unit_price, service_code, iss_rate FROM services WHERE id = ?");
    sql::ResetGuard reset(stmt);
    stmt.bind(1, id);
    if (!stmt.step()) {
        return std::nullopt;
    }
    Service s;
    s.id = stmt.column_text(0);
    s.description = stmt.column_text(1);
    s.unit_price = stmt.column_opt_int(2);
    s.service_code = stmt.column_text(3);
    if (auto rate = stmt.column_opt_int(4)) {
        s.iss_rate = static_cast<Rate>(*rate);
    }
    return s;
}

std::optional<Contract> load_contract(Ledger& ledger, std::string_view id)
{
    Contract c;
    {
        auto& stmt = ledger.statement("SELECT " BILLRUN_CONTRACT_COLUMNS("") " FROM contracts WHERE id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id);
        if (!stmt.step()) {
            return std::nullopt;
        }
        c = read_contract_row(stmt);
    }
    auto& items = ledger.statement(
        "SELECT service, quantity, price FROM contract_items WHERE contract = ? ORDER BY position");
    sql::ResetGuard reset(items);
    items.bind(1, id);
    while (items.step()) {
        c.items.push_back(ContractItem{items.column_text(0), items.column_int(1), items.column_opt_int(2)});
    }
    return c;
}

}  // namespace

Result<UpsertResult> upsert_customer(Ledger& ledger, std::int64_t run, const Customer& record)
{
    return guard([&] {
        return upsert(
            ledger, run, record, "customer", "SELECT content_hash, run FROM customers WHERE id = ?",
            [&](std::string_view id) { return load_customer(ledger, id); },
            [&](const Customer& r, std::int64_t hash, bool existed) {
                auto& stmt = !existed ? ledger.statement(
                    "INSERT INTO customers (id, name, tax_id, email, phone, street, number, complement, "
                    "district, city, city_code, state, zip, municipal_registration, iss_withheld, owner, "
                    "content_hash, run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(id) DO NOTHING") : ledger.statement(
                    "INSERT INTO customers (id, name, tax_id, email, phone, street, number, complement, "
                    "district, city, city_code, state, zip, municipal_registration, iss_withheld, owner, "
                    "content_hash, run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET name=excluded.name, tax_id=excluded.tax_id, "
                    "email=excluded.email, phone=excluded.phone, street=excluded.street, "
                    "number=excluded.number, complement=excluded.complement, district=excluded.district, "
                    "city=excluded.city, city_code=excluded.city_code, state=excluded.state, "
                    "zip=excluded.zip, municipal_registration=excluded.municipal_registration, "
                    "iss_withheld=excluded.iss_withheld, owner=excluded.owner, "
                    "content_hash=excluded.content_hash, run=excluded.run");
                stmt.bind(1, r.id).bind(2, r.name).bind(3, r.tax_id).bind(4, r.email).bind(5, r.phone);
                stmt.bind(6, r.street).bind(7, r.number).bind(8, r.complement).bind(9, r.district);
                stmt.bind(10, r.city).bind(11, r.city_code).bind(12, r.state).bind(13, r.zip);
                stmt.bind(14, r.municipal_registration).bind(15, r.iss_withheld).bind(16, r.owner);
                stmt.bind(17, hash).bind(18, run).run();
                return sqlite3_changes(ledger.db()) > 0;
            });
    });
}

Result<UpsertResult> upsert_service(Ledger& ledger, std::int64_t run, const Service& record)
{
    return guard([&] {
        return upsert(
            ledger, run, record, "service", "SELECT content_hash, run FROM services WHERE id = ?",
            [&](std::string_view id) { return load_service(ledger, id); },
            [&](const Service& r, std::int64_t hash, bool existed) {
                auto& stmt = !existed ? ledger.statement(
                    "INSERT INTO services (id, description, unit_price, service_code, iss_rate, "
                    "content_hash, run) VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING") : ledger.statement(
                    "INSERT INTO services (id, description, unit_price, service_code, iss_rate, "
                    "content_hash, run) VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                    "description=excluded.description, unit_price=excluded.unit_price, "
                    "service_code=excluded.service_code, iss_rate=excluded.iss_rate, "
                    "content_hash=excluded.content_hash, run=excluded.run");
                std::optional<std::int64_t> rate;
                if (r.iss_rate) {
                    rate = *r.iss_rate;
                }
                stmt.bind(1, r.id).bind(2, r.description).bind(3, opt64(r.unit_price));
                stmt.bind(4, r.service_code).bind(5, rate).bind(6, hash).bind(7, run).run();
                return sqlite3_changes(ledger.db()) > 0;
            });
    });
}

Result<UpsertResult> upsert_contract(Ledger& ledger, std::int64_t run, const Contract& record)
{
    return guard([&] {
        return upsert(
            ledger, run, record, "contract", "SELECT content_hash, run FROM contracts WHERE id = ?",
            [&](std::string_view id) { return load_contract(ledger, id); },
            [&](const Contract& r, std::int64_t hash, bool existed) {
                auto& stmt = !existed ? ledger.statement(
                    "INSERT INTO contracts (id, customer, start, start_time, end_date, cycle, billing, "
                    "due_days, due_day, series, payment_method, auto_send, template, bank_account, "
                    "iss_withheld, content_hash, run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(id) DO NOTHING") : ledger.statement(
                    "INSERT INTO contracts (id, customer, start, start_time, end_date, cycle, billing, "
                    "due_days, due_day, series, payment_method, auto_send, template, bank_account, "
                    "iss_withheld, content_hash, run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET customer=excluded.customer, start=excluded.start, "
                    "start_time=excluded.start_time, end_date=excluded.end_date, cycle=excluded.cycle, "
                    "billing=excluded.billing, due_days=excluded.due_days, due_day=excluded.due_day, "
                    "series=excluded.series, payment_method=excluded.payment_method, "
                    "auto_send=excluded.auto_send, template=excluded.template, "
                    "bank_account=excluded.bank_account, iss_withheld=excluded.iss_withheld, "
                    "content_hash=excluded.content_hash, run=excluded.run");
                stmt.bind(1, r.id).bind(2, r.customer).bind(3, r.start.iso()).bind(4, r.start_time);
                stmt.bind(5, r.end ? std::optional<std::string>(r.end->iso()) : std::nullopt);
                stmt.bind(6, r.cycle).bind(7, r.billing).bind(8, opt64(r.due_days)).bind(9, opt64(r.due_day));
                stmt.bind(10, r.series).bind(11, r.payment_method).bind(12, r.auto_send);
                stmt.bind(13, r.template_name).bind(14, r.bank_account).bind(15, opt64(r.iss_withheld));
                stmt.bind(16, hash).bind(17, run).run();
                if (!existed && sqlite3_changes(ledger.db()) == 0) {
                    return false;
                }
                if (existed) {
                    auto& clear = ledger.statement("DELETE FROM contract_items WHERE contract = ?");
                    clear.bind(1, r.id).run();
                }
                auto& item = ledger.statement(
                    "INSERT INTO contract_items (contract, position, service, quantity, price) "
                    "VALUES (?,?,?,?,?)");
                for (std::size_t i = 0; i < r.items.size(); ++i) {
                    item.bind(1, r.id).bind(2, static_cast<std::int64_t>(i + 1)).bind(3, r.items[i].service);
                    item.bind(4, r.items[i].quantity).bind(5, opt64(r.items[i].price)).run();
                }
                return true;
            });
    });
}

Result<std::optional<Customer>> find_customer(Ledger& ledger, std::string_view id)
{
    return guard([&] { return load_customer(ledger, id); });
}

Result<std::optional<Service>> find_service(Ledger& ledger, std::string_view id)
{
    return guard([&] { return load_service(ledger, id); });
}

Result<std::optional<Contract>> find_contract(Ledger& ledger, std::string_view id)
{
    return guard([&] { return load_contract(ledger, id); });
}

Result<bool> customer_exists(Ledger& ledger, std::string_view id)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT 1 FROM customers WHERE id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id);
        return stmt.step();
    });
}

Result<bool> service_exists(Ledger& ledger, std::string_view id)
{
    return guard([&] {
        auto& stmt = ledger.statement("SELECT 1 FROM services WHERE id = ?");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, id);
        return stmt.step();
    });
}

}  // namespace billrun::ledger
