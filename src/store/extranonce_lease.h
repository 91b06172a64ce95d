#pragma once
// This instance's extranonce1 prefix, leased through the database so several pool instances on
// one PostgreSQL never hand out the same extranonce1 (and so a share replayed on another instance
// can never have the same header hash). A heartbeat thread keeps the lease alive; a dead
// instance's prefix becomes free once its heartbeat is `ttl` old; a graceful stop gives it back.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "store/store.h"

namespace pool::store {

struct ExtranonceLeaseOptions {
  std::chrono::milliseconds ttl{60000};       // a lease without a heartbeat for this long is free
  std::chrono::milliseconds heartbeat{10000};  // how often the lease is renewed
};

/// Owns one prefix lease and its heartbeat thread.
class ExtranonceLease {
 public:
  /// Leases a prefix now (throws StoreError when none is free or the database cannot be
  /// reached). `on_change` is called from the heartbeat thread if the lease was lost (taken over
  /// after a database outage longer than the ttl) and another prefix had to be leased.
  ExtranonceLease(Store& store, std::string instance, ExtranonceLeaseOptions options = {},
                  std::function<void(uint8_t)> on_change = {});
  ~ExtranonceLease();
  ExtranonceLease(const ExtranonceLease&) = delete;
  ExtranonceLease& operator=(const ExtranonceLease&) = delete;

  uint8_t prefix() const;
  const std::string& instance() const { return instance_; }

 private:
  void run();

  Store& store_;
  std::string instance_;
  ExtranonceLeaseOptions options_;
  std::function<void(uint8_t)> on_change_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  int prefix_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pool::store
