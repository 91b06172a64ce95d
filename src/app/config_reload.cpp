#include "app/config_reload.h"

#include <set>

namespace pool::app {

bool applies_without_restart(const std::string& key) {
  static const std::set<std::string> live = {
      "stratum.difficulty",           "stratum.min_difficulty",     "stratum.max_difficulty",
      "stratum.vardiff_target_seconds", "stratum.max_connections",  "stratum.max_connections_per_ip",
      "stratum.idle_timeout_seconds", "stratum.ban_seconds",        "pool.fee_percentage",
      "pool.min_payout",              "pool.payment_interval_hours", "pool.payout_max_outputs",
      "log.level",
  };
  return live.count(key) > 0;
}

ReloadPlan plan_reload(const Config& running, const Config& loaded) {
  std::set<std::string> keys;
  for (const auto& [k, v] : running.values) keys.insert(k);
  for (const auto& [k, v] : loaded.values) keys.insert(k);
  ReloadPlan plan;
  for (const auto& key : keys) {
    const auto a = running.values.find(key), b = loaded.values.find(key);
    const std::string before = a == running.values.end() ? "(default)" : a->second;
    const std::string after = b == loaded.values.end() ? "(default)" : b->second;
    if (before == after) continue;
    const size_t dot = key.find('.');
    ConfigChange change{"[" + key.substr(0, dot) + "] " + key.substr(dot + 1), before, after};
    (applies_without_restart(key) ? plan.applied : plan.needs_restart).push_back(std::move(change));
  }
  return plan;
}

std::string ReloadPlan::summary() const {
  if (empty()) return "reload: nothing changed";
  auto list = [](const std::vector<ConfigChange>& changes) {
    std::string out;
    for (const auto& c : changes) out += (out.empty() ? "" : ", ") + c.key + " " + c.before + " -> " + c.after;
    return out;
  };
  std::string line = "reload:";
  line += applied.empty() ? " nothing applied" : " applied " + list(applied);
  if (!needs_restart.empty()) line += "; needs a restart (still running the old value): " + list(needs_restart);
  return line;
}

}  // namespace pool::app
