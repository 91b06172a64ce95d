#include "store/store.h"

#include <unistd.h>

#include <chrono>

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace pool::store {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string not_pending_message(int64_t payment_id, const std::string& txid) {
  return "payment " + std::to_string(payment_id) + " is no longer pending, but the wallet sent " + txid +
         " for it: check the wallet for a second send (the ledger audit names it)";
}

std::string redact_url(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string holder_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

std::vector<WeightedShare> pplns_window(Store& store, int64_t until_ms, double window) {
  std::vector<WeightedShare> out;
  store.walk_window(until_ms, window, 1, [&](int, const WindowShare& s) {
    out.push_back({std::string(s.address), s.difficulty});
  });
  return out;
}

std::optional<int64_t> window_start_id(Store& store, int64_t until_ms, double window) {
  int64_t oldest = 0;
  double sum = 0;
  store.walk_window(until_ms, window, 1, [&](int, const WindowShare& s) {
    oldest = s.id;
    sum += s.difficulty;
  });
  if (oldest == 0 || sum < window) return std::nullopt;
  return oldest;
}

std::unique_ptr<Store> open_store(const std::string& url) {
  if (url.rfind("sqlite:///", 0) == 0) return open_sqlite_store(url.substr(10));
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres_store(url);
  throw StoreError("unsupported database URL '" + url + "' (expected sqlite:///FILE or postgresql://...)");
}

}  // namespace pool::store
