#include "node/node_health.h"

namespace pool::node {

bool NodeHealth::report_success() {
  std::lock_guard lock(mutex_);
  const bool recovered = !up_;
  up_ = true;
  failures_ = 0;
  last_error_.clear();
  return recovered;
}

bool NodeHealth::report_failure(const std::string& error) {
  std::lock_guard lock(mutex_);
  const bool changed = up_ || error != last_error_;
  up_ = false;
  ever_failed_ = true;
  last_error_ = error;
  ++failures_;
  return changed;
}

bool NodeHealth::is_up() const {
  std::lock_guard lock(mutex_);
  return up_;
}

std::string NodeHealth::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

int NodeHealth::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

}  // namespace pool::node
