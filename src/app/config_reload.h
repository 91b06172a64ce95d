#pragma once
// What a SIGHUP reload may change while miners stay connected: compares the running
// configuration with the file as it is now, key by key, and sorts each change into "applied now"
// or "needs a restart". Pure: applying the plan is PoolApp's job.
#include <string>
#include <vector>

#include "app/config.h"

namespace pool::app {

/// One key whose value differs between the running configuration and the file.
struct ConfigChange {
  std::string key;  // "[stratum] difficulty"
  std::string before, after;  // as written; "(default)" when the key is not in the file
};

/// The outcome of comparing two configurations.
struct ReloadPlan {
  std::vector<ConfigChange> applied;        // take effect without dropping miners
  std::vector<ConfigChange> needs_restart;  // kept as they run until poold restarts
  bool empty() const { return applied.empty() && needs_restart.empty(); }
  /// One log line: "reload: applied [stratum] difficulty 1 -> 2; needs a restart: [stratum] port ...".
  std::string summary() const;
};

/// Keys a running pool applies on reload: difficulties and vardiff, fee, payout interval and
/// minimum, log level, connection limits.
bool applies_without_restart(const std::string& section_dot_key);

ReloadPlan plan_reload(const Config& running, const Config& loaded);

}  // namespace pool::app
