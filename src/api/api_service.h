#pragma once
// The read-only HTTP API, Prometheus metrics and dashboard: GET /api/pool, /api/pool/history,
// /api/miners/{address}, /api/blocks, /api/payments, /metrics and /. Answers from in-memory
// statistics and the store; never calls the node per request. JSON field names are stable
// (docs/api.md).
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "accounting/accounting_service.h"
#include "bitcoin/network.h"
#include "mining/job_registry.h"
#include "net/http_server.h"
#include "store/store.h"
#include "stratum/pool_stats.h"

namespace pool::api {

/// Where the API reads from; everything is borrowed.
struct ApiSources {
  stratum::PoolStats* stats = nullptr;
  store::Store* store = nullptr;
  mining::JobRegistry* jobs = nullptr;
  bitcoin::Network network = bitcoin::Network::kMain;
  std::string payout_scheme = "pplns";
  double fee_percentage = 0;
  std::function<double()> node_rpc_latency_ms;  // may be empty
  std::function<bool()> accounting_leader;      // may be empty
  std::function<accounting::LedgerStatus()> ledger_status;  // may be empty
};

/// Owns the hashrate history and answers requests. Thread-safe.
class ApiService {
 public:
  explicit ApiService(ApiSources sources);
  net::HttpResponse handle(const net::HttpRequest& request);
  /// Records one pool-hashrate sample (the app calls this every 30 s) and the share rate.
  void sample(std::chrono::system_clock::time_point now);

 private:
  net::HttpResponse pool_json();
  net::HttpResponse history_json();
  net::HttpResponse miner_json(const std::string& address);
  net::HttpResponse blocks_json();
  net::HttpResponse payments_json();
  net::HttpResponse metrics();

  ApiSources sources_;
  std::mutex mutex_;
  std::deque<std::pair<int64_t, double>> history_;  // unix ms, H/s (24 h at 30 s)
  uint64_t last_accepted_ = 0;
  std::chrono::steady_clock::time_point last_sample_ = std::chrono::steady_clock::now();
  double shares_per_second_ = 0;
};

}  // namespace pool::api
