#pragma once
// Test helper: a throw-away PostgreSQL server of the test's own (initdb in a temporary directory,
// a free loopback port), which a test may restart or stop and start while the pool is connected:
// the shared server of $POOL_TEST_POSTGRES_URL is never restarted. Uses Debian's binaries in
// /usr/lib/postgresql/*/bin; runs them as the postgres user when the test runs as root. The data
// directory is a copy of one initdb made once per version ($TMPDIR/pool-pgtest-template-*).
#include <filesystem>
#include <memory>
#include <string>

namespace pool::test {

/// Owns the server process and its data directory (removed on destruction).
class PostgresServer {
 public:
  /// A running server, or nullptr with the reason in *why (the binaries are not installed).
  static std::unique_ptr<PostgresServer> start(std::string* why);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// postgresql://postgres@127.0.0.1:PORT/DATABASE
  std::string url(const std::string& database = "postgres") const;
  /// Creates a fresh database and returns its URL.
  std::string create_database();
  /// `pg_ctl restart -m fast`: every client connection is terminated; returns once it accepts
  /// connections again. Throws std::runtime_error when pg_ctl fails.
  void restart();
  void stop();
  void start_again();

 private:
  PostgresServer(std::filesystem::path bin, std::filesystem::path dir, int port);
  void pg_ctl(const std::string& args) const;

  std::filesystem::path bin_, dir_;
  int port_;
  int databases_ = 0;
};

/// Why PostgreSQL-server tests skip outside CI (in CI they fail instead: see in_ci()).
inline constexpr const char* kPostgresBinariesSkip =
    "SKIP: these tests start their own PostgreSQL server and need its binaries (/usr/lib/postgresql/*/bin/initdb, "
    "pg_ctl; Debian package postgresql)";

}  // namespace pool::test
