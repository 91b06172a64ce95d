#pragma once
// When to try a failing periodic job again: `initial` after the first failure, doubling up to
// `cap`; a success starts over. Pure: the caller passes the time.
#include <algorithm>
#include <chrono>

namespace pool::util {

/// Owns the back-off state of one job.
class RetrySchedule {
 public:
  using Clock = std::chrono::steady_clock;
  RetrySchedule(std::chrono::milliseconds initial, std::chrono::milliseconds cap)
      : initial_(initial), cap_(std::max(cap, initial)), delay_(initial) {}

  /// False while waiting out the back-off after a failure.
  bool due(Clock::time_point now) const { return !waiting_ || now >= next_; }
  /// Returns how long to wait before the next try.
  std::chrono::milliseconds failed(Clock::time_point now) {
    const auto wait = delay_;
    waiting_ = true;
    next_ = now + wait;
    delay_ = std::min(delay_ * 2, cap_);
    return wait;
  }
  void succeeded() {
    waiting_ = false;
    delay_ = initial_;
  }
  /// True between a failure and the next success.
  bool failing() const { return waiting_; }
  /// The wait the next failure will bring.
  std::chrono::milliseconds next_delay() const { return delay_; }

 private:
  std::chrono::milliseconds initial_, cap_, delay_;
  bool waiting_ = false;
  Clock::time_point next_{};
};

}  // namespace pool::util
