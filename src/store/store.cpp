#include "store/store.h"

#include <chrono>

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace pool::store {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<Store> open_store(const std::string& url) {
  if (url.rfind("sqlite:///", 0) == 0) return open_sqlite_store(url.substr(10));
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres_store(url);
  throw StoreError("unsupported database URL '" + url + "' (expected sqlite:///FILE or postgresql://...)");
}

}  // namespace pool::store
