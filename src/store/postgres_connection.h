#pragma once
// The PostgreSQL store's connection to the server (libpq): one connection with reconnect,
// statements with text parameters, and errors that tell refused data (SQLSTATE classes 22/23,
// StoreRefused) from a server that cannot be reached (StoreError). Used by postgres_store only.
#include <libpq-fe.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace pool::store {

/// Owns a PGresult.
struct PgResult {
  PGresult* r = nullptr;
  explicit PgResult(PGresult* res) : r(res) {}
  PgResult(PgResult&& o) noexcept : r(o.r) { o.r = nullptr; }
  ~PgResult() { PQclear(r); }
  int rows() const { return PQntuples(r); }
  std::string text(int row, int col) const { return PQgetvalue(r, row, col); }
  int64_t i64(int row, int col) const { return std::stoll(PQgetvalue(r, row, col)); }
  double f64(int row, int col) const { return std::stod(PQgetvalue(r, row, col)); }
  int affected() const { return std::atoi(PQcmdTuples(r)); }
};

/// Owns one connection to the server (the URL's password never appears in an error).
class PgConnection {
 public:
  explicit PgConnection(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  void connect();
  bool healthy() const;
  /// Runs one statement with text parameters; throws StoreRefused for data the server refuses,
  /// StoreError for anything else.
  PgResult run(const std::string& sql, const std::vector<std::string>& params = {});
  /// Runs several statements (a migration step).
  void exec_script(const std::string& sql);

 private:
  std::string url_;
  PGconn* conn_ = nullptr;
};

}  // namespace pool::store
