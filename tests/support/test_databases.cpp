#include "support/test_databases.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace pool::test {

namespace {

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" + std::to_string(rd() % 100000);
}

class SqliteDatabase : public TestDatabase {
 public:
  SqliteDatabase() : path_(std::filesystem::temp_directory_path() / (unique_name("pool_test_") + ".db")) {}
  ~SqliteDatabase() override {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path_.string() + suffix, ignored);
  }
  std::string url() const override { return "sqlite:///" + path_.string(); }
  void execute(const std::string& sql) const override {
    sqlite3* db = nullptr;
    if (sqlite3_open(path_.c_str(), &db) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + path_.string());
    }
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string why = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + why);
  }

 private:
  std::filesystem::path path_;
};

void admin(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to " + url + ": " + why);
  }
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string why = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error(sql + ": " + why);
}

class PostgresDatabase : public TestDatabase {
 public:
  explicit PostgresDatabase(std::string server) : server_(std::move(server)), name_(unique_name("pool_test_")) {
    admin(server_, "CREATE DATABASE " + name_);
  }
  ~PostgresDatabase() override {
    try {
      admin(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
    }
  }
  std::string url() const override {
    // Replace the database part of the server URL with ours.
    const size_t slash = server_.find('/', server_.find("://") + 3);
    const size_t query = server_.find('?');
    std::string base = slash == std::string::npos ? server_ : server_.substr(0, slash);
    return base + "/" + name_ + (query == std::string::npos ? "" : server_.substr(query));
  }
  void execute(const std::string& sql) const override { admin(url(), sql); }

 private:
  std::string server_, name_;
};

}  // namespace

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

std::unique_ptr<TestDatabase> make_sqlite_database() { return std::make_unique<SqliteDatabase>(); }

std::unique_ptr<TestDatabase> make_postgres_database(std::string* why) {
  const char* url = std::getenv("POOL_TEST_POSTGRES_URL");
  if (!url || !*url) {
    if (why) *why = kPostgresSkip;
    return nullptr;
  }
  return std::make_unique<PostgresDatabase>(url);
}

}  // namespace pool::test

namespace pool::test {

namespace {
void report_missing(const std::string& why) {
  // A fatal failure or a skip recorded here stops the test body from running after SetUp.
  if (in_ci()) FAIL() << "PostgreSQL must be tested in CI: " << why;
  GTEST_SKIP() << why;
}
}  // namespace

std::unique_ptr<TestDatabase> database_for_test(const std::string& backend) {
  if (backend == "sqlite") return make_sqlite_database();
  std::string why;
  auto db = make_postgres_database(&why);
  if (!db) report_missing(why);
  return db;
}

}  // namespace pool::test
