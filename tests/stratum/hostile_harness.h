#pragma once
// The hostile-client suite's harness: a real `poold` child process fed by the in-process test
// node, an honest miner that keeps submitting solved shares on its own thread, raw attacker
// sockets bound to other loopback addresses (so a ban of the attacker never touches the honest
// miner), a /proc sampler for the server's RSS and descriptors, and share-row counts read
// straight from the database. Every wait here is bounded in count and time.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "testnode/test_node.h"
#include "tools/minerlib/miner_work.h"

namespace pool::test::hostile {

using namespace std::chrono_literals;

/// The pool's payout address and the honest miner's worker.
inline constexpr const char* kAddress = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
/// Every share is answered within this bound, or the honest miner records a failure.
inline constexpr std::chrono::milliseconds kAnswerBound = 5s;
/// The RSS bound during an attack: the baseline measured just before it plus this (see
/// docs/benchmarks.md, "Hostile clients").
inline constexpr uint64_t kRssHeadroomKib = 64 * 1024;

struct PoolOptions {
  std::string db_url;
  double idle_timeout_seconds = 30;  // long, so a close proves the attack was detected
  double ban_seconds = 60;
  int mempool_transactions = 0;  // makes mining.get_transactions answers large
  double job_refresh_seconds = 30;
};

/// Owns a test node and a poold child process serving Stratum on a free loopback port.
class PooldProcess {
 public:
  explicit PooldProcess(const PoolOptions& options);
  ~PooldProcess();
  PooldProcess(const PooldProcess&) = delete;
  PooldProcess& operator=(const PooldProcess&) = delete;

  bool listening() const { return listening_; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  /// False once the child has exited (for any reason).
  bool alive();
  /// VmRSS of the child in KiB (0 when it is gone).
  uint64_t rss_kib() const;
  /// Entries of /proc/PID/fd.
  size_t open_fds() const;
  /// SIGTERM, then SIGKILL after `limit`; the exit code when it exited by itself, else -1.
  int stop(std::chrono::milliseconds limit = 10s);
  /// The last `bytes` of the child's log, for failure messages.
  std::string log_tail(size_t bytes = 4000) const;

 private:
  std::unique_ptr<testnode::TestNode> node_;
  std::filesystem::path config_path_, log_path_;
  uint16_t port_ = 0;
  pid_t pid_ = 0;
  bool listening_ = false;
  std::optional<int> exit_code_;
};

/// Owns one miner connection from 127.0.0.1 on its own thread: solves a share, submits it, waits
/// for the answer (up to kAnswerBound), paces itself and repeats until stopped.
class HonestMiner {
 public:
  HonestMiner(uint16_t port, std::string worker);
  ~HonestMiner();
  uint64_t accepted() const { return accepted_; }
  /// True once `n` shares have been answered `true` (within `limit`; false at once when the
  /// miner has given up after a failure).
  bool wait_accepted(uint64_t n, std::chrono::milliseconds limit = 15s) const;
  /// Every share answered other than `true`, answered late, or the connection failing.
  std::vector<std::string> failures() const;
  /// Longest wait for an answer so far.
  std::chrono::milliseconds max_latency() const { return std::chrono::milliseconds(max_latency_ms_.load()); }
  void stop();

 private:
  void run(uint16_t port);
  void fail(std::string what);

  std::string worker_;
  std::atomic<bool> stop_{false}, finished_{false};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<int64_t> max_latency_ms_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> failures_;
  std::thread thread_;
};

/// A plain non-blocking TCP socket for attacks: bound to `local_ip`, written without ever
/// blocking, and able to tell when the server closed it.
class RawConn {
 public:
  RawConn(uint16_t port, const std::string& local_ip);
  ~RawConn();
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Writes as much of `data` as the peer takes; stops when it closes or when nothing could be
  /// written for `stall`. Returns the bytes written.
  size_t send(std::string_view data, std::chrono::milliseconds stall = 2s);
  /// The next line the server sent, or nullopt on timeout or close.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  /// True when the server closed (EOF or reset) within `limit`; what it sent meanwhile is read
  /// and dropped (lines_seen() counts it).
  bool closed_within(std::chrono::milliseconds limit);
  bool peer_closed() const { return peer_closed_; }
  size_t lines_seen() const { return lines_seen_; }
  /// Half-close: no more data from us.
  void shutdown_write();
  /// Close with a reset (SO_LINGER 0), as a vanished client does.
  void reset();

 private:
  int pump(int timeout_ms);  // reads once if readable: 1 data, 0 nothing, -1 closed
  int fd_ = -1;
  bool peer_closed_ = false;
  std::string buffer_;
  size_t lines_seen_ = 0;
};

/// Samples a process's VmRSS every few milliseconds on its own thread and keeps the peak.
class RssMonitor {
 public:
  explicit RssMonitor(pid_t pid);
  ~RssMonitor();
  uint64_t peak_kib() const { return peak_; }

 private:
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> peak_{0};
  std::thread thread_;
};

/// VmRSS of `pid` in KiB (0 when unreadable).
uint64_t rss_kib(pid_t pid);

struct ShareRows {
  uint64_t rows = 0;
  uint64_t distinct_hashes = 0;
};
/// Counts the shares table of a sqlite:/// or postgresql:// database.
ShareRows count_share_rows(const std::string& url);

/// A subscribed, authorized attacker that can build shares: reads the handshake replies.
struct MinerIdentity {
  std::string extranonce1_hex;
  std::optional<minerlib::MinerJob> job;
  std::vector<std::string> replies;  // id-carrying answers seen during the handshake
  std::string authorize_reply;       // empty when none came
  bool authorized = false;           // the authorize answer was `true`
};
/// Sends subscribe (with `params`) and authorize for `worker` (its bytes placed verbatim between
/// the JSON quotes); reads until work arrives or the authorize answer says no.
MinerIdentity handshake(RawConn& c, const std::string& subscribe_params, const std::string& worker,
                        std::chrono::milliseconds limit = 5s);

/// The server's answer to request `id` (JSON text of the id), skipping other lines; nullopt when
/// none came within `limit` or the connection closed.
std::optional<std::string> reply_to(RawConn& c, const std::string& id, std::chrono::milliseconds limit = kAnswerBound);
/// The error code of an answer line, 0 when it has none.
int error_code(const std::string& line);

/// A share for `job` meeting difficulty 1e-9 (`meets` = true) or missing it (false), with
/// extranonce2 = counter.
std::string solved_submit(const std::string& id, const std::string& worker, const minerlib::MinerJob& job,
                          const std::string& extranonce1_hex, uint32_t counter, bool meets = true);

}  // namespace pool::test::hostile
