#include "sqlite.hpp"

#include <fmt/format.h>

namespace billrun::ledger::sql {

void throw_error(sqlite3* db, int rc, std::string_view sql)
{
    int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    if (!sql.empty()) {
        message = fmt::format("{} (in: {})", message, sql.substr(0, 200));
    }
    throw SqliteError(extended != 0 ? extended : rc, message);
}

void exec(sqlite3* db, std::string_view sql)
{
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string message = err != nullptr ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw SqliteError(sqlite3_extended_errcode(db),
                          fmt::format("{} (in: {})", message, text.substr(0, 200)));
    }
}

Statement::Statement(sqlite3* db, std::string_view sql) : m_db(db), m_sql(sql)
{
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    m_stmt.reset(stmt);
    if (rc != SQLITE_OK) {
        throw_error(db, rc, sql);
    }
    m_text.resize(static_cast<std::size_t>(sqlite3_bind_parameter_count(stmt)));
}

Statement& Statement::bind(int index, std::int64_t value)
{
    int rc = sqlite3_bind_int64(m_stmt.get(), index, value);
    if (rc != SQLITE_OK) {
        throw_error(m_db, rc, m_sql);
    }
    return *this;
}

Statement& Statement::bind(int index, std::string_view value)
{
    // The buffer lives as long as the statement and is only rewritten by the next bind of the
    // same parameter, which replaces SQLite's binding anyway: SQLITE_STATIC is safe.
    if (index < 1 || static_cast<std::size_t>(index) > m_text.size()) {
        throw_error(m_db, SQLITE_RANGE, m_sql);
    }
    std::string& held = m_text[static_cast<std::size_t>(index) - 1];
    held.assign(value);
    int rc = sqlite3_bind_text(m_stmt.get(), index, held.data(), static_cast<int>(held.size()), SQLITE_STATIC);
    if (rc != SQLITE_OK) {
        throw_error(m_db, rc, m_sql);
    }
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes)
{
    int rc = sqlite3_bind_blob(m_stmt.get(), index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) {
        throw_error(m_db, rc, m_sql);
    }
    return *this;
}

std::string Statement::column_blob(int index) const
{
    const void* data = sqlite3_column_blob(m_stmt.get(), index);
    const int size = sqlite3_column_bytes(m_stmt.get(), index);
    return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

Statement& Statement::bind_null(int index)
{
    int rc = sqlite3_bind_null(m_stmt.get(), index);
    if (rc != SQLITE_OK) {
        throw_error(m_db, rc, m_sql);
    }
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value)
{
    return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value)
{
    return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step()
{
    int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    sqlite3_reset(m_stmt.get());
    throw_error(m_db, rc, m_sql);
}

void Statement::run()
{
    ResetGuard guard(*this);
    while (step()) {
    }
}

void Statement::reset()
{
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
}

std::int64_t Statement::column_int(int index) const
{
    return sqlite3_column_int64(m_stmt.get(), index);
}

std::string_view Statement::column_view(int index) const
{
    const auto* text = sqlite3_column_text(m_stmt.get(), index);
    if (text == nullptr) {
        return {};
    }
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), index))};
}

std::string Statement::column_text(int index) const
{
    const auto* text = sqlite3_column_text(m_stmt.get(), index);
    if (text == nullptr) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(text),
                       static_cast<std::size_t>(sqlite3_column_bytes(m_stmt.get(), index)));
}

std::optional<std::string> Statement::column_opt_text(int index) const
{
    if (column_is_null(index)) {
        return std::nullopt;
    }
    return column_text(index);
}

std::optional<std::int64_t> Statement::column_opt_int(int index) const
{
    if (column_is_null(index)) {
        return std::nullopt;
    }
    return column_int(index);
}

bool Statement::column_is_null(int index) const
{
    return sqlite3_column_type(m_stmt.get(), index) == SQLITE_NULL;
}

}  // namespace billrun::ledger::sql
