#pragma once
// Wires the pool together from a Config: node connections, work (job manager + tip watcher),
// the Stratum server, the block pipeline and accounting, and the 30-second monitor line.
#include <atomic>
#include <memory>
#include <string>

#include "app/config.h"
#include "app/config_reload.h"
#include "bitcoin/network.h"
#include "node/rpc_client.h"
#include "store/store.h"

namespace pool::app {

/// Owns every running component of one pool process.
class PoolApp {
 public:
  explicit PoolApp(Config config);
  ~PoolApp();
  PoolApp(const PoolApp&) = delete;
  PoolApp& operator=(const PoolApp&) = delete;

  /// Connects to the node (waiting, with back-off, while it is down, unless `stop` becomes true),
  /// then starts serving miners. Returns false if stopped before the node answered.
  bool start(const std::atomic<bool>& stop);
  /// Graceful shutdown: stop accepting, flush shares, tell miners to reconnect, close.
  void stop();
  /// SIGHUP: applies what `loaded` changes that can change without dropping miners (difficulties
  /// and vardiff, connection limits, idle timeout, ban length, fee, payout minimum and interval,
  /// log level) and returns the plan (what was applied, what needs a restart). Throws ConfigError
  /// (nothing applied) when the new values are invalid for the node's network.
  ReloadPlan reload(const Config& loaded);

  /// One line of monitoring: connections, workers, shares/s, rejects, blocks, memory.
  std::string monitor_line();
  uint16_t stratum_port() const;
  uint16_t api_port() const;
  /// Records a hashrate sample for the API's history (main calls it every 30 s).
  void sample_statistics();
  bitcoin::Network network() const;
  const std::string& payout_address() const;
  /// Whether this instance currently runs maturity and payouts (see Store::try_acquire_leadership).
  bool is_accounting_leader() const;

 private:
  struct Parts;
  Config config_;
  std::unique_ptr<Parts> parts_;
};

/// The node connection settings of a configuration.
node::RpcOptions rpc_options_for(const BitcoinConfig& bitcoin);

/// The comment every payout of this pool's database carries in the wallet ("... payout ID-N").
std::string payout_comment_prefix(store::Store& store);

/// Resident set size of this process in bytes (from /proc/self/statm).
size_t resident_memory_bytes();

}  // namespace pool::app
