#pragma once
// Thin RAII over sqlite3, private to lib/ledger: a handle in unique_ptr, statements that
// reset on scope exit, and one exception type that ledger functions turn into Result.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

namespace billrun::ledger::sql {

// Thrown by this wrapper only; every public ledger function catches it (see guard()).
class SqliteError : public std::runtime_error {
public:
    SqliteError(int code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    int code() const { return m_code; }  // extended result code
    bool busy() const { return (m_code & 0xff) == SQLITE_BUSY || (m_code & 0xff) == SQLITE_LOCKED; }

private:
    int m_code;
};

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view sql);

// Runs one or more statements with no parameters.
void exec(sqlite3* db, std::string_view sql);

// A prepared statement. bind() is 1-based; step() returns true while a row is available.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, std::string_view value);  // copied into the statement's own buffer
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind_null(int index);
    Statement& bind_blob(int index, std::string_view bytes);  // copied; kept as bytes, never as text
    Statement& bind(int index, const std::optional<std::string>& value);
    Statement& bind(int index, const std::optional<std::int64_t>& value);

    bool step();
    void run();     // step to completion (for INSERT/UPDATE); resets
    void reset();   // reset and clear bindings

    std::int64_t column_int(int index) const;
    std::string column_text(int index) const;
    // The text in the statement's own row buffer: valid until the next step() or reset().
    std::string_view column_view(int index) const;
    std::string column_blob(int index) const;  // the bytes, whole (embedded NULs included)
    std::optional<std::string> column_opt_text(int index) const;
    std::optional<std::int64_t> column_opt_int(int index) const;
    bool column_is_null(int index) const;

    sqlite3_stmt* get() const { return m_stmt.get(); }

private:
    sqlite3* m_db;
    std::unique_ptr<sqlite3_stmt, StmtFinalizer> m_stmt;
    std::string m_sql;
    // One buffer per parameter, reused from row to row: a bound text is copied here and
    // handed to SQLite as static, instead of SQLite allocating a copy for every bind.
    std::vector<std::string> m_text;
};

// Resets a statement when leaving scope, so a cached statement never stays mid-step.
class ResetGuard {
public:
    explicit ResetGuard(Statement& stmt) : m_stmt(stmt) {}
    ~ResetGuard() { m_stmt.reset(); }
    ResetGuard(const ResetGuard&) = delete;
    ResetGuard& operator=(const ResetGuard&) = delete;

private:
    Statement& m_stmt;
};

}  // namespace billrun::ledger::sql
