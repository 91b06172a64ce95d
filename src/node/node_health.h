#pragma once
// Tracks whether the node is reachable so that an outage is logged once when it starts and once
// when it ends, not on every poll.
#include <mutex>
#include <string>

namespace pool::node {

/// Owns the up/down state of the node connection and the last error text. Thread-safe.
class NodeHealth {
 public:
  /// Records a successful call. Returns true when this ends an outage (log "node is back").
  bool report_success();
  /// Records a failed call. Returns true when this starts an outage or the error text changed
  /// (log it); false while the same outage continues.
  bool report_failure(const std::string& error);
  bool is_up() const;
  std::string last_error() const;
  /// Number of consecutive failures in the current outage.
  int failures() const;

 private:
  mutable std::mutex mutex_;
  bool up_ = true;
  bool ever_failed_ = false;
  std::string last_error_;
  int failures_ = 0;
};

}  // namespace pool::node
