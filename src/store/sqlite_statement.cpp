#include "store/sqlite_statement.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pool::store {

sqlite3* open_database(const std::string& path, int flags, const std::string& purpose) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw StoreError("cannot open SQLite database '" + path + "'" + purpose + ": " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

void exec_sql(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError("SQLite: " + why + " in: " + sql.substr(0, 80));
  }
}

void exec_migration_step(sqlite3* db, const std::string& step) {
  static const std::string kAdd = " ADD COLUMN IF NOT EXISTS ";
  size_t start = 0;
  while (start < step.size()) {
    size_t end = step.find(';', start);
    if (end == std::string::npos) end = step.size();
    std::string sql = step.substr(start, end - start);
    start = end + 1;
    if (sql.find_first_not_of(" \n\t") == std::string::npos) continue;
    const size_t add = sql.find(kAdd);
    if (add != std::string::npos && sql.rfind("ALTER TABLE ", 0) == 0) {
      const std::string table = sql.substr(12, add - 12);
      const size_t name_start = add + kAdd.size();
      const std::string column = sql.substr(name_start, sql.find(' ', name_start) - name_start);
      Stmt info(db, "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?");
      info.bind(1, table).bind(2, column);
      info.step();
      if (info.i64(0) > 0) continue;
      sql = sql.substr(0, add) + " ADD COLUMN " + sql.substr(name_start);
    }
    exec_sql(db, sql);
  }
}

int lock_database_file(const std::string& path) {
  const std::string lock_path = path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) throw StoreError("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[64] = {};
    const ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    std::string who = n > 0 ? std::string(holder, static_cast<size_t>(n)) : "another process";
    while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
    throw StoreError("SQLite database '" + path + "' is already in use by poold (" + who +
                     "); two pools on one SQLite file would both pay. Stop that one, or use PostgreSQL for "
                     "several instances");
  }
  const std::string me = "pid " + std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The lock is what matters; the pid inside is only a hint for the message above.
  }
  return fd;
}

}  // namespace pool::store
