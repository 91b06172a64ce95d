#include "stratum/worker_registry.h"

namespace pool::stratum {

bool WorkerRegistry::claim(const std::string& address, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& names = uses_[address];
  auto it = names.find(name);
  if (it == names.end()) {
    if (names.size() >= max_per_address_) {
      if (names.empty()) uses_.erase(address);
      return false;
    }
    it = names.emplace(name, 0).first;
  }
  ++it->second;
  return true;
}

void WorkerRegistry::release(const std::string& address, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto a = uses_.find(address);
  if (a == uses_.end()) return;
  auto n = a->second.find(name);
  if (n == a->second.end()) return;
  if (--n->second == 0) a->second.erase(n);
  if (a->second.empty()) uses_.erase(a);
}

size_t WorkerRegistry::workers_of(const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto a = uses_.find(address);
  return a == uses_.end() ? 0 : a->second.size();
}

}  // namespace pool::stratum
