#pragma once
// Keeps work fresh: a new job on every new block (clean_jobs) and a refreshed job with new
// transactions every refresh interval; stops refreshing while the node is down and recovers by
// itself when it returns, logging each outage once. Carries the PPLNS window root accounting
// asks for in every job's coinbase (set_window_commitment).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "mining/coinbase_builder.h"
#include "mining/job_registry.h"
#include "node/bitcoin_node.h"
#include "node/node_health.h"
#include "node/tip_watcher.h"

namespace pool::mining {

/// Owns the refresh thread; publishes each new job to the registry and the listener.
class JobManager {
 public:
  struct Options {
    std::chrono::milliseconds refresh_interval{30000};
    std::chrono::milliseconds max_backoff{30000};
    CoinbaseOptions coinbase;
    bitcoin::Bytes payout_script;
  };
  using JobListener = std::function<void(const JobPtr&)>;

  JobManager(node::BitcoinNode& node, JobRegistry& registry, Options options, JobListener listener);
  ~JobManager();
  JobManager(const JobManager&) = delete;
  JobManager& operator=(const JobManager&) = delete;

  void start();
  void stop();
  /// Called by the TipWatcher: builds a clean job as soon as possible.
  void notify_new_tip(const node::TipEvent& event);
  /// Fetches a template and publishes a job now, on the caller's thread. Returns the job, or
  /// nullptr when the node could not be asked (the failure is recorded in health()).
  JobPtr refresh_now();
  /// The PPLNS window root the coinbase carries from now on (nullopt: none). Thread-safe; called
  /// from the accounting thread. When it changes, the refresh thread builds a new job on the
  /// current tip promptly (a refresh, not a new tip: clean_jobs stays false).
  void set_window_commitment(std::optional<bitcoin::Uint256> root);
  std::optional<bitcoin::Uint256> window_commitment() const;

  const node::NodeHealth& health() const { return health_; }
  /// Milliseconds from the last tip notification to its job being ready.
  std::optional<double> last_tip_to_job_ms() const;
  const Options& options() const { return options_; }

 private:
  void run();

  node::BitcoinNode& node_;
  JobRegistry& registry_;
  Options options_;
  JobListener listener_;
  node::NodeHealth health_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<node::TipEvent> pending_tip_;
  std::optional<bitcoin::Uint256> window_root_;  // guarded by mutex_
  bool refresh_requested_ = false;               // guarded by mutex_
  std::optional<double> last_tip_to_job_ms_;
  std::mutex refresh_mutex_;  // one refresh at a time
  std::thread thread_;
};

}  // namespace pool::mining
