#pragma once
// The ledger: one SQLite file (mode 0600, WAL, foreign keys, busy timeout), its schema
// migrated forward by billrun, and an append-only event table. All SQL lives in lib/ledger.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <billrun/core/error.hpp>
#include <billrun/ledger/records.hpp>

struct sqlite3;

namespace billrun::ledger {

namespace sql {
class Statement;
}

struct OpenOptions {
    bool create = false;          // create the file when missing (init); else ErrorCode::no_input
    int busy_timeout_ms = 5000;   // how long to wait for another run's lock before ErrorCode::busy
};

class Ledger {
public:
    // Opens (or creates) the ledger and migrates its schema forward in one transaction.
    // Errors: no_input (missing and !create), busy (locked past the timeout), internal.
    static Result<std::unique_ptr<Ledger>> open(const std::filesystem::path& path,
                                                 const OpenOptions& options);
    ~Ledger();
    Ledger(const Ledger&) = delete;
    Ledger& operator=(const Ledger&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    int schema_version() const { return m_schema_version; }
    static int latest_schema_version();

    // For lib/ledger's own files: the connection and a cache of prepared statements keyed
    // by the SQL literal's address.
    sqlite3* db() const { return m_db; }
    sql::Statement& statement(const char* sql_literal);
    // Orders the events this process writes (one process, one run).
    std::int64_t next_event_seq() { return ++m_event_seq; }

private:
    Ledger() = default;
    struct Cache;
    std::filesystem::path m_path;
    sqlite3* m_db = nullptr;
    int m_schema_version = 0;
    std::int64_t m_event_seq = 0;
    std::unique_ptr<Cache> m_cache;
};

// A write transaction taken with BEGIN IMMEDIATE, so two runs serialise at the start and a
// run that cannot get the lock in time fails with ErrorCode::busy before doing any work.
// Rolls back in its destructor unless commit() succeeded.
class WriteTransaction {
public:
    static Result<WriteTransaction> begin(Ledger& ledger);
    WriteTransaction(WriteTransaction&& other) noexcept;
    WriteTransaction& operator=(WriteTransaction&&) = delete;
    WriteTransaction(const WriteTransaction&) = delete;
    ~WriteTransaction();
    Result<void> commit();
    void rollback();

private:
    explicit WriteTransaction(Ledger& ledger) : m_ledger(&ledger) {}
    Ledger* m_ledger;
    bool m_open = true;
};

struct RunStart {
    std::string command;        // "import customers", "cycle", ...
    std::string business_date;  // ISO date
    std::string started;        // ISO 8601 timestamp, from the CLI layer
};

// Records a run (inside the caller's transaction) and returns its id.
Result<std::int64_t> start_run(Ledger& ledger, const RunStart& run);
// Marks it finished with a status ("ok", "partial", "failed", "dry-run") and its counts as JSON.
Result<void> finish_run(Ledger& ledger, std::int64_t run, const std::string& finished,
                        const std::string& status, const std::string& counts_json);

// Appends an event (what, to which record, in which run). Events are never updated or
// deleted: the schema refuses it.
Result<void> append_event(Ledger& ledger, std::int64_t run, std::string_view entity,
                          std::string_view entity_id, std::string_view action,
                          std::string_view detail = {});
// One event for a range of records with integer keys (a batch of invoices a run created).
Result<void> append_range_event(Ledger& ledger, std::int64_t run, std::string_view entity, std::int64_t key_from,
                                std::int64_t key_to, std::string_view action, std::string_view detail = {});
// The events of one record, bulk events covering its key included, oldest first.
Result<std::vector<Event>> events_for(Ledger& ledger, std::string_view entity,
                                      std::string_view entity_id);

// Upserts by id. `created`, `unchanged` (same content), `updated` (with the changed fields
// in `changes` as "field: old -> new"), or `duplicate` when the same id was already
// written by this run with different content. Every created/updated record gets an event.
enum class UpsertOutcome { created, updated, unchanged, duplicate };
struct UpsertResult {
    UpsertOutcome outcome = UpsertOutcome::unchanged;
    std::vector<std::string> changes;
};
Result<UpsertResult> upsert_customer(Ledger& ledger, std::int64_t run, const Customer& record);
Result<UpsertResult> upsert_service(Ledger& ledger, std::int64_t run, const Service& record);
Result<UpsertResult> upsert_contract(Ledger& ledger, std::int64_t run, const Contract& record);

Result<std::optional<Customer>> find_customer(Ledger& ledger, std::string_view id);
Result<std::optional<Service>> find_service(Ledger& ledger, std::string_view id);
Result<std::optional<Contract>> find_contract(Ledger& ledger, std::string_view id);
Result<bool> customer_exists(Ledger& ledger, std::string_view id);
Result<bool> service_exists(Ledger& ledger, std::string_view id);

}  // namespace billrun::ledger
