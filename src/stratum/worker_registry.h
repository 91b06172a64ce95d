#pragma once
// The worker names authorized right now, per payout address, across every connection: bounds how
// many distinct workers one address may run (each name counted once however many connections
// use it). Thread-safe; shared by all Stratum threads.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pool::stratum {

/// Owns the per-address count of authorized worker names.
class WorkerRegistry {
 public:
  explicit WorkerRegistry(size_t max_workers_per_address) : max_per_address_(max_workers_per_address) {}

  /// Takes one use of `name` under `address`. False (nothing taken) when the name is new and the
  /// address already has the maximum number of distinct names.
  bool claim(const std::string& address, const std::string& name);
  /// Gives back one use taken by claim().
  void release(const std::string& address, const std::string& name);
  size_t workers_of(const std::string& address) const;
  size_t max_per_address() const { return max_per_address_; }

 private:
  const size_t max_per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_map<std::string, size_t>> uses_;  // address -> name -> uses
};

}  // namespace pool::stratum
