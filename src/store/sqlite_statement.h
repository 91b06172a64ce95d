#pragma once
// The SQLite store's statement wrapper and connection opener: prepared statements bound by
// position with errors that name the statement, connections that wait for a lock, migration
// steps in PostgreSQL syntax, and the lock file that keeps a second poold off the database.
// Used by sqlite_store only.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace pool::store {

/// One prepared statement; binds by position (1-based) and steps.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreError("SQLite: cannot prepare '" + sql + "': " + sqlite3_errmsg(db));
    }
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  /// Steps once; true while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    const std::string message = std::string("SQLite: ") + sqlite3_errmsg(db_);
    const int primary = sqlite3_errcode(db_) & 0xff;
    if (primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG) {
      throw StoreRefused(message);  // the data is refused; busy, locked and I/O errors are not
    }
    throw StoreError(message);
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t i64(int col) { return sqlite3_column_int64(stmt_, col); }
  double f64(int col) { return sqlite3_column_double(stmt_, col); }
  std::string_view text_view(int col) {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string_view();
  }
  std::string text(int col) {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  bool is_null(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// Opens a connection that waits up to 5 s for a lock; throws StoreError naming the file.
sqlite3* open_database(const std::string& path, int flags, const std::string& purpose);

/// Runs SQL without results; throws StoreError with the message and the start of the SQL.
void exec_sql(sqlite3* db, const std::string& sql);

/// Runs one migration step statement by statement; "ALTER TABLE t ADD COLUMN IF NOT EXISTS c ..."
/// (PostgreSQL syntax) adds the column only when the table lacks it.
void exec_migration_step(sqlite3* db, const std::string& step);

/// Takes "<path>.lock" exclusively (writing this pid into it) and returns its descriptor, which
/// holds the lock until closed; throws StoreError naming the holder when another process has it.
int lock_database_file(const std::string& path);

}  // namespace pool::store
