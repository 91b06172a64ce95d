#pragma once
// Test helper: an accepted share as the share recorder would store it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "mining/accepted_share.h"

namespace pool::test {

/// A header hash no other share of this test process has (the shares table keys on it).
inline bitcoin::Uint256 unique_share_hash() {
  static std::atomic<uint64_t> counter{0};  // test-process counter, not pool state
  bitcoin::Uint256 h;
  uint64_t n = ++counter;
  for (int i = 0; i < 8; ++i, n >>= 8) h.data()[i] = static_cast<uint8_t>(n);
  return h;
}

/// A share of `difficulty` by `address` (worker "<address>.rig") recorded at `ms` since the epoch,
/// with a hash of its own.
inline mining::AcceptedShare share_at(const std::string& address, double difficulty, int64_t ms) {
  mining::AcceptedShare s;
  s.address = address;
  s.worker = address + ".rig";
  s.difficulty = difficulty;
  s.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  s.hash = unique_share_hash();
  return s;
}

}  // namespace pool::test
