#pragma once
// Test helper: an accepted share as the share recorder would store it.
#include <chrono>
#include <string>

#include "mining/accepted_share.h"

namespace pool::test {

/// A share of `difficulty` by `address` (worker "<address>.rig") recorded at `ms` since the epoch.
inline mining::AcceptedShare share_at(const std::string& address, double difficulty, int64_t ms) {
  mining::AcceptedShare s;
  s.address = address;
  s.worker = address + ".rig";
  s.difficulty = difficulty;
  s.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  return s;
}

}  // namespace pool::test
