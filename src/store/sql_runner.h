#pragma once
// One statement on either backend, for queries written once for both: parameters are written
// $1, $2, … in the SQL (SQLite reads them as named parameters numbered in order of first
// appearance, so each must first appear in increasing order) and bound as integers or text.
// Rows are read through LedgerRow. Used by the window queries.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "store/ledger_queries.h"
#include "store/postgres_connection.h"

namespace pool::store {

using SqlParam = std::variant<int64_t, std::string>;

class SqlRunner {
 public:
  virtual ~SqlRunner() = default;
  /// Runs `sql`; calls `row` for each result row; returns the number of rows it changed.
  virtual int64_t run(const std::string& sql, const std::vector<SqlParam>& params,
                      const std::function<void(const LedgerRow&)>& row = {}) = 0;
};

/// On an SQLite connection the caller holds (and has in a transaction where that matters).
class SqliteRunner final : public SqlRunner {
 public:
  explicit SqliteRunner(sqlite3* db) : db_(db) {}
  int64_t run(const std::string& sql, const std::vector<SqlParam>& params,
              const std::function<void(const LedgerRow&)>& row = {}) override;

 private:
  sqlite3* db_;
};

/// On a PostgreSQL connection the caller holds.
class PgRunner final : public SqlRunner {
 public:
  explicit PgRunner(PgConnection& db) : db_(db) {}
  int64_t run(const std::string& sql, const std::vector<SqlParam>& params,
              const std::function<void(const LedgerRow&)>& row = {}) override;

 private:
  PgConnection& db_;
};

}  // namespace pool::store
