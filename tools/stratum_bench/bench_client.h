#pragma once
// stratum-bench's connections: asynchronous Stratum v1 clients (any pool) that subscribe,
// authorize, follow mining.notify / set_difficulty, and submit real shares with a window of
// requests in flight, timing each submit until its reply.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tools/minerlib/miner_work.h"

namespace pool::bench {

struct BenchOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3333;
  int connections = 100;
  int local_ips = 1;        // bind sources to 127.0.0.1 .. 127.0.0.N (28k ports each)
  int threads = 1;
  int window = 4;           // submits in flight per connection (0 = connect and stay idle)
  double duration = 10;     // seconds of submitting
  std::string user;         // ADDRESS.worker
  double connect_rate = 20000;  // new connections per second
  double rate = 0;              // total shares/s to offer (open loop); 0 = as fast as the window allows
};

/// Totals shared by every connection (atomics: written from all bench threads).
struct BenchCounters {
  std::atomic<uint64_t> connected{0}, ready{0}, failed{0}, closed{0};
  std::atomic<uint64_t> accepted{0}, rejected{0}, submitted{0};
  std::atomic<uint64_t> notifies{0}, clean_notifies{0};
  std::array<std::atomic<uint64_t>, 8> rejects_by_code{};  // Stratum codes 20..26 (index code-20), 7 = other
  std::atomic<int64_t> last_clean_notify_ns{0};  // steady-clock time of the latest clean notify
  std::atomic<int64_t> first_clean_notify_ns{0};
};

/// Runs the load: connects, submits for `duration`, then returns latency samples (µs).
class BenchRun {
 public:
  BenchRun(BenchOptions options, BenchCounters& counters);
  ~BenchRun();
  /// Opens every connection and waits until all are ready (subscribed, authorized, have work)
  /// or `timeout` passes. Returns how many are ready.
  uint64_t connect_all(std::chrono::seconds timeout);
  /// Starts submitting on every ready connection (no-op with window 0).
  void start_submitting();
  void stop_submitting();
  /// Closes everything and returns the submit->reply latencies in microseconds.
  std::vector<uint32_t> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pool::bench
