#pragma once
// The read-only HTTP API, Prometheus metrics and dashboard: GET /api/pool, /api/pool/history,
// /api/miners/{address}, /api/blocks, /api/payments, /api/job, /metrics and /. A request never waits on
// the node or the store: it answers from in-memory statistics, atomics, and a snapshot of the
// store that a background thread refreshes (docs/api.md states the staleness). JSON field names
// are stable (docs/api.md).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "accounting/accounting_service.h"
#include "bitcoin/network.h"
#include "mining/coinbase_builder.h"
#include "mining/job_registry.h"
#include "net/http_server.h"
#include "store/store.h"
#include "stratum/pool_stats.h"

namespace pool::api {

/// What the API shows from the store, read in one go by the refresher thread.
struct StoreSnapshot {
  std::vector<store::BlockRecord> blocks;  // newest first, at most 100
  std::map<std::string, int> blocks_by_status;
  std::vector<store::PaymentRecord> payments;  // newest first, at most 1000
  std::map<std::string, int64_t> balances;
  int payouts_sent = 0;
  int64_t paid_sats = 0;
  std::chrono::steady_clock::time_point taken;
};

/// Reads everything the API shows from the store (several queries; may be slow).
StoreSnapshot read_store_snapshot(store::Store& store);

/// Where the API reads from; everything is borrowed.
struct ApiSources {
  stratum::PoolStats* stats = nullptr;
  store::Store* store = nullptr;
  mining::JobRegistry* jobs = nullptr;  // the current job (GET /api/job) is its newest
  /// How SOLO jobs are personalized (tag, extranonce sizes): GET /api/job?address= rebuilds the
  /// coinbase a miner of that address gets exactly as the Stratum server does.
  mining::CoinbaseOptions coinbase;
  bitcoin::Network network = bitcoin::Network::kMain;
  std::string payout_scheme = "pplns";
  double fee_percentage = 0;
  std::function<double()> node_rpc_latency_ms;  // may be empty; must not block (read an atomic)
  std::function<bool()> accounting_leader;      // may be empty; must not block
  const std::atomic<uint64_t>* payout_duplicate_sends = nullptr;  // may be null
  const std::atomic<uint64_t>* payout_refused = nullptr;          // may be null
  const std::atomic<int64_t>* payouts_in_trouble = nullptr;       // may be null
  /// Reads a snapshot for the refresher; empty = read_store_snapshot(*store).
  std::function<StoreSnapshot()> read_snapshot;
  /// How often the background thread re-reads the store.
  std::chrono::milliseconds store_refresh{2000};
  std::function<accounting::LedgerStatus()> ledger_status;  // may be empty; must not block
  std::function<bool()> node_up;                // may be empty; must not block
  std::function<bool()> payout_failing;         // may be empty; must not block
  /// Seconds from noticing the last new tip to its clean work written to every miner; may be empty.
  std::function<std::optional<double>()> block_notify_seconds;
};


/// Owns the hashrate history, the store snapshot and its refresher thread, and answers
/// requests. Thread-safe.
class ApiService {
 public:
  /// Reads the store once (so the first requests have data), then starts the refresher.
  explicit ApiService(ApiSources sources);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;
  /// Stops the refresher (waits for a store read in progress).
  void stop();
  net::HttpResponse handle(const net::HttpRequest& request);
  /// Records one pool-hashrate sample (the app calls this every 30 s) and the share rate.
  void sample(std::chrono::system_clock::time_point now);

 private:
  net::HttpResponse pool_json();
  net::HttpResponse history_json();
  net::HttpResponse miner_json(const std::string& address);
  net::HttpResponse blocks_json();
  net::HttpResponse payments_json();
  net::HttpResponse job_json(const std::string& target);
  net::HttpResponse metrics();
  std::shared_ptr<const StoreSnapshot> snapshot() const;
  void refresh();
  void refresh_loop();

  ApiSources sources_;
  mutable std::mutex snapshot_mutex_;  // guards only the pointer swap
  std::shared_ptr<const StoreSnapshot> snapshot_;
  std::atomic<uint64_t> refresh_failures_{0};
  std::mutex refresher_mutex_;
  std::condition_variable refresher_wake_;
  bool stopping_ = false;
  std::thread refresher_;
  std::mutex mutex_;
  std::deque<std::pair<int64_t, double>> history_;  // unix ms, H/s (24 h at 30 s)
  uint64_t last_accepted_ = 0;
  std::chrono::steady_clock::time_point last_sample_ = std::chrono::steady_clock::now();
  double shares_per_second_ = 0;
};

}  // namespace pool::api
