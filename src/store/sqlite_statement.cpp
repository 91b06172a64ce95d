#include "store/sqlite_statement.h"

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

}  // namespace pool::store
