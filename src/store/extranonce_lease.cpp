#include "store/extranonce_lease.h"

#include <spdlog/spdlog.h>

namespace pool::store {

ExtranonceLease::ExtranonceLease(Store& store, std::string instance, ExtranonceLeaseOptions options,
                                 std::function<void(uint8_t)> on_change)
    : store_(store), instance_(std::move(instance)), options_(options), on_change_(std::move(on_change)) {
  prefix_ = store_.lease_extranonce_prefix(instance_, options_.ttl.count());
  thread_ = std::thread([this] { run(); });
}

ExtranonceLease::~ExtranonceLease() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  try {
    store_.release_extranonce_prefix(instance_, prefix());
  } catch (const std::exception& e) {
    spdlog::warn("stratum: could not give back extranonce prefix {:02x} ({}); it frees itself in {} s", prefix(),
                 e.what(), options_.ttl.count() / 1000);
  }
}

uint8_t ExtranonceLease::prefix() const {
  std::lock_guard lock(mutex_);
  return static_cast<uint8_t>(prefix_);
}

void ExtranonceLease::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.heartbeat, [&] { return stopping_; })) {
    const int held = prefix_;
    lock.unlock();
    int now_held = held;
    try {
      if (!store_.renew_extranonce_prefix(instance_, held)) {
        // Another instance took it over while we could not renew: never share it, lease anew.
        now_held = store_.lease_extranonce_prefix(instance_, options_.ttl.count());
        spdlog::error("stratum: extranonce prefix {:02x} was taken over by another instance; new sessions use {:02x}",
                      held, now_held);
      }
    } catch (const std::exception& e) {
      spdlog::warn("stratum: cannot renew extranonce prefix {:02x} ({}); retrying", held, e.what());
    }
    lock.lock();
    prefix_ = now_held;
    if (now_held != held && on_change_) {
      lock.unlock();
      on_change_(static_cast<uint8_t>(now_held));
      lock.lock();
    }
  }
}

}  // namespace pool::store
