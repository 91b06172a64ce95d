#pragma once
// Fresh databases for storage tests: a temporary SQLite file, or a new PostgreSQL database on
// the server named by $POOL_TEST_POSTGRES_URL (scripts/test.sh starts one). Each is removed at
// the end of the test.
#include <memory>
#include <string>

namespace pool::test {

/// Owns one throw-away database and its URL.
class TestDatabase {
 public:
  virtual ~TestDatabase() = default;
  virtual std::string url() const = 0;
  /// Runs SQL on a separate connection to this database, as an administrator would (e.g. to
  /// kill a session, or to tamper with the books). Throws on failure.
  virtual void execute(const std::string& sql) const = 0;
};

std::unique_ptr<TestDatabase> make_sqlite_database();
/// nullptr when no PostgreSQL server is configured (the reason is in *why).
std::unique_ptr<TestDatabase> make_postgres_database(std::string* why);

/// The message for tests that need PostgreSQL and cannot run (they fail in CI, skip outside).
inline constexpr const char* kPostgresSkip =
    "SKIP: PostgreSQL tests need $POOL_TEST_POSTGRES_URL (scripts/test.sh starts a server when run as root)";

/// True when running in CI (CI=true), where skipping the PostgreSQL tests is not allowed.
bool in_ci();

/// A fresh database of `backend` ("sqlite" or "postgresql") for the running test; nullptr when
/// PostgreSQL is not available, after marking the test failed (in CI) or skipped (elsewhere).
/// Callers return when it is null.
std::unique_ptr<TestDatabase> database_for_test(const std::string& backend);

}  // namespace pool::test
