#include <billrun/ledger/ledger.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "events.hpp"
#include "guard.hpp"
#include "schema.hpp"
#include "sqlite.hpp"

namespace billrun::ledger {

struct Ledger::Cache {
    std::unordered_map<const char*, sql::Statement> statements;
};

namespace {

// Creates the file with mode 0600 before SQLite sees it, so the ledger is never readable by
// others, not even for an instant. SQLite gives the -wal and -shm files the same mode.
Result<void> create_private_file(const std::filesystem::path& path)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            return {};
        }
        return fail(ErrorCode::no_input,
                    fmt::format("{}: cannot create the ledger: {}", path.string(), std::strerror(errno)));
    }
    ::close(fd);
    return {};
}

int read_user_version(sqlite3* db)
{
    sql::Statement stmt(db, "PRAGMA user_version");
    sql::ResetGuard reset(stmt);
    return stmt.step() ? static_cast<int>(stmt.column_int(0)) : 0;
}

void migrate(sqlite3* db, int& version)
{
    auto all = migrations();
    if (version >= static_cast<int>(all.size())) {
        return;
    }
    sql::exec(db, "BEGIN IMMEDIATE");
    try {
        // Re-read under the lock: another process may have migrated meanwhile.
        version = read_user_version(db);
        for (auto i = static_cast<std::size_t>(version); i < all.size(); ++i) {
            if (!all[i].present.empty()) {
                sql::Statement present(db, all[i].present);
                if (present.step() && present.column_int(0) == 1) {
                    continue;
                }
            }
            sql::exec(db, all[i].sql);
        }
        sql::exec(db, fmt::format("PRAGMA user_version = {}", all.size()));
        sql::exec(db, "COMMIT");
        version = static_cast<int>(all.size());
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

}  // namespace

int Ledger::latest_schema_version()
{
    return static_cast<int>(migrations().size());
}

Result<std::unique_ptr<Ledger>> Ledger::open(const std::filesystem::path& path,
                                             const OpenOptions& options)
{
    std::error_code ec;
    bool exists = std::filesystem::exists(path, ec);
    if (!exists && !options.create) {
        return fail(ErrorCode::no_input,
                    fmt::format("{}: no ledger here; run 'billrun init' first (or pass --ledger)",
                                path.string()));
    }
    if (!exists) {
        if (auto created = create_private_file(path); !created) {
            return tl::unexpected(created.error());
        }
    }
    bool fresh = !exists;
    static const bool configured_library = [] {
        // No memory statistics: they take a global mutex on every allocation.
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }();
    (void)configured_library;
    std::unique_ptr<Ledger> ledger(new Ledger());
    ledger->m_path = path;
    ledger->m_cache = std::make_unique<Cache>();
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    ledger->m_db = raw;  // closed by ~Ledger even when the open failed
    if (rc != SQLITE_OK) {
        return fail(ErrorCode::no_input, fmt::format("{}: cannot open the ledger: {}", path.string(),
                                                     raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);
    auto setup = guard([&] {
        sql::Statement probe(raw, "SELECT count(*) FROM sqlite_master");
        sql::ResetGuard reset(probe);
        probe.step();
    });
    if (!setup) {
        if (setup.error().code == ErrorCode::busy) {
            return tl::unexpected(setup.error());
        }
        return fail(ErrorCode::data_invalid,
                    fmt::format("{}: not a billrun ledger (not an SQLite database?)", path.string()));
    }
    auto configured = guard([&] {
        if (fresh) {
            sql::exec(raw, "PRAGMA page_size = 16384");  // fewer, larger pages: faster bulk writes
        }
        sql::exec(raw, "PRAGMA journal_mode = WAL");
        sql::exec(raw, "PRAGMA foreign_keys = ON");
        sql::exec(raw, "PRAGMA synchronous = FULL");
        // A bounded page cache large enough that a big batch does not spill mid-transaction.
        sql::exec(raw, "PRAGMA cache_size = -65536");
        int version = read_user_version(raw);
        if (version > latest_schema_version()) {
            return version;
        }
        migrate(raw, version);
        return version;
    });
    if (!configured) {
        return tl::unexpected(configured.error());
    }
    if (*configured > latest_schema_version()) {
        return fail(ErrorCode::config,
                    fmt::format("{}: ledger schema v{} is newer than this billrun knows (v{}); upgrade billrun",
                                path.string(), *configured, latest_schema_version()));
    }
    ledger->m_schema_version = *configured;
    return ledger;
}

Ledger::~Ledger()
{
    if (m_cache) {
        m_cache->statements.clear();  // finalize before closing
    }
    if (m_db != nullptr) {
        sqlite3_close_v2(m_db);
    }
}

sql::Statement& Ledger::statement(const char* sql_literal)
{
    auto found = m_cache->statements.find(sql_literal);
    if (found != m_cache->statements.end()) {
        return found->second;
    }
    return m_cache->statements.emplace(sql_literal, sql::Statement(m_db, sql_literal)).first->second;
}

Result<WriteTransaction> WriteTransaction::begin(Ledger& ledger)
{
    auto begun = guard([&] { sql::exec(ledger.db(), "BEGIN IMMEDIATE"); });
    if (!begun) {
        return tl::unexpected(begun.error());
    }
    return WriteTransaction(ledger);
}

WriteTransaction::WriteTransaction(WriteTransaction&& other) noexcept
    : m_ledger(other.m_ledger), m_open(other.m_open)
{
    other.m_open = false;
}

WriteTransaction::~WriteTransaction()
{
    rollback();
}

Result<void> WriteTransaction::commit()
{
    if (!m_open) {
        return fail(ErrorCode::internal, "commit of a transaction that is no longer open");
    }
    auto done = guard([&] { sql::exec(m_ledger->db(), "COMMIT"); });
    if (done) {
        m_open = false;
    }
    return done;
}

void WriteTransaction::rollback()
{
    if (m_open) {
        sqlite3_exec(m_ledger->db(), "ROLLBACK", nullptr, nullptr, nullptr);
        m_open = false;
    }
}

Result<std::int64_t> start_run(Ledger& ledger, const RunStart& run)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "INSERT INTO runs (command, business_date, started) VALUES (?, ?, ?)");
        stmt.bind(1, run.command).bind(2, run.business_date).bind(3, run.started).run();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(ledger.db()));
    });
}

Result<void> finish_run(Ledger& ledger, std::int64_t run, const std::string& finished,
                        const std::string& status, const std::string& counts_json)
{
    return guard([&] {
        auto& stmt = ledger.statement(
            "UPDATE runs SET finished = ?, status = ?, counts = ? WHERE id = ?");
        stmt.bind(1, finished).bind(2, status).bind(3, counts_json).bind(4, run).run();
    });
}

void insert_event(Ledger& ledger, std::int64_t run, std::string_view entity, std::string_view entity_id,
                  std::string_view action, std::string_view detail, std::optional<std::int64_t> key_from,
                  std::optional<std::int64_t> key_to)
{
    auto& stmt = ledger.statement(
        "INSERT INTO events (entity, entity_id, run, seq, action, detail, key_from, key_to) VALUES (?,?,?,?,?,?,?,?)");
    stmt.bind(1, entity).bind(2, entity_id).bind(3, run).bind(4, ledger.next_event_seq()).bind(5, action);
    if (detail.empty()) {
        stmt.bind_null(6);
    } else {
        stmt.bind(6, detail);
    }
    stmt.bind(7, key_from).bind(8, key_to).run();
}

Result<void> append_event(Ledger& ledger, std::int64_t run, std::string_view entity,
                          std::string_view entity_id, std::string_view action,
                          std::string_view detail)
{
    return guard([&] { insert_event(ledger, run, entity, entity_id, action, detail); });
}

Result<void> append_range_event(Ledger& ledger, std::int64_t run, std::string_view entity, std::int64_t key_from,
                                std::int64_t key_to, std::string_view action, std::string_view detail)
{
    return guard([&] {
        insert_event(ledger, run, entity, fmt::format("{}..{}", key_from, key_to), action, detail, key_from, key_to);
    });
}

Result<std::vector<Event>> events_for(Ledger& ledger, std::string_view entity,
                                      std::string_view entity_id)
{
    return guard([&] {
        // Integer ids may also be covered by a bulk event's key range.
        std::int64_t key = -1;
        if (!entity_id.empty() && entity_id.size() < 19 &&
            entity_id.find_first_not_of("0123456789") == std::string_view::npos) {
            key = std::stoll(std::string(entity_id));
        }
        auto& stmt = ledger.statement(
            "SELECT e.run, e.seq, r.command, r.started, e.entity, e.entity_id, e.action, coalesce(e.detail, '') "
            "FROM events e JOIN runs r ON r.id = e.run WHERE e.entity = ?1 AND e.entity_id = ?2 "
            "UNION ALL "
            "SELECT e.run, e.seq, r.command, r.started, e.entity, e.entity_id, e.action, coalesce(e.detail, '') "
            "FROM events e JOIN runs r ON r.id = e.run WHERE e.entity = ?1 AND e.key_from IS NOT NULL "
            "AND e.key_from <= ?3 AND e.key_to >= ?3 ORDER BY 1, 2");
        sql::ResetGuard reset(stmt);
        stmt.bind(1, entity).bind(2, entity_id).bind(3, key);
        std::vector<Event> events;
        while (stmt.step()) {
            events.push_back(Event{stmt.column_int(0), stmt.column_int(1), stmt.column_text(2),
                                   stmt.column_text(3), stmt.column_text(4), stmt.column_text(5),
                                   stmt.column_text(6), stmt.column_text(7)});
        }
        return events;
    });
}

}  // namespace billrun::ledger
