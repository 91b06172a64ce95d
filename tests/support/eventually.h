#pragma once
// Test helper: polls a condition that another thread or process makes true, up to a deadline.
#include <chrono>
#include <functional>
#include <thread>

namespace pool::test {

/// True as soon as `condition` holds; false if it still does not after `limit`.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace pool::test
