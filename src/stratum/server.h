#pragma once
// The Stratum v1 TCP server: event-driven (one io_context per thread, no thread per
// connection), connection limits, idle timeouts, IP back-off for abusive miners, job broadcast
// with one shared notify message, and graceful shutdown.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "mining/coinbase_builder.h"
#include "mining/job_registry.h"
#include "stratum/pool_stats.h"
#include "stratum/session.h"
#include "stratum/share_sink.h"
#include "stratum/worker_registry.h"

namespace boost::asio::ssl {
class context;
}

namespace pool::stratum {

struct ServerOptions {
  std::string host = "0.0.0.0";  // "::" listens on IPv6 (and IPv4 where the OS maps it)
  uint16_t port = 3333;          // 0 = any free port
  int threads = 2;
  size_t max_connections = 100000;
  // Sized for a large farm behind one NAT address while stopping one host from taking every
  // slot; 0 = unlimited.
  size_t max_connections_per_ip = 256;
  double idle_timeout_seconds = 300;      // closed after this long without a complete, valid message
  double handshake_timeout_seconds = 30;  // TLS handshake, mining.subscribe and mining.authorize
  size_t max_queued_bytes = 256 * 1024;   // unsent output per connection before reading pauses
  double output_stall_seconds = 30;       // closed when output stays above that limit this long
  double ban_seconds = 600;           // back-off for an IP whose miner sent mostly invalid shares
  size_t max_banned_ips = 65536;      // the ban list's cap (the oldest bans go first)
  size_t max_line_bytes = 16 * 1024;
  size_t max_workers_per_address = 1024;  // distinct worker names one address may run at once
  PoolStatsOptions stats;                 // idle worker eviction and the worker table's cap
  // An optional TLS listener beside the plain port (stratum+ssl): same protocol and limits.
  std::optional<uint16_t> tls_port;  // unset = no TLS; 0 = any free port
  std::string tls_cert_file;         // PEM certificate chain
  std::string tls_key_file;          // PEM private key
  std::string reconnect_host;         // sent in client.reconnect at shutdown when set
  uint16_t reconnect_port = 0;
  SessionConfig session;
  mining::CoinbaseOptions coinbase;  // for SOLO jobs built per miner
};

/// Called on a dedicated path when a share meets the network target.
using BlockFoundHandler = std::function<void(const mining::JobPtr&, const mining::Solution&, const AcceptedShare&)>;

/// Owns the listening sockets, the worker threads and every connection.
class StratumServer {
 public:
  StratumServer(ServerOptions options, mining::JobRegistry& jobs, bitcoin::Network network, ShareSink& shares,
                BlockFoundHandler on_block);
  ~StratumServer();
  StratumServer(const StratumServer&) = delete;
  StratumServer& operator=(const StratumServer&) = delete;

  /// Binds and starts serving. Throws std::runtime_error naming the address when it cannot bind.
  void start();
  /// Stops accepting, tells miners to reconnect (when configured), closes every connection and
  /// flushes recorded shares.
  void stop();
  uint16_t port() const { return bound_port_; }
  /// The TLS port once started (0 when TLS is off).
  uint16_t tls_port() const { return tls_bound_port_; }

  /// Sends a new job to every subscribed, authorized session (one shared notify message).
  void broadcast(const mining::JobPtr& job);
  /// Sends client.show_message to every session.
  void show_message(const std::string& text);
  /// Changes the version-rolling mask for everyone (mining.set_version_mask to those rolling).
  void set_version_mask(uint32_t mask);
  /// A configuration reload: new connection limits, idle timeout, ban length and difficulty
  /// bounds, applied without dropping anyone (existing sessions move into the new bounds).
  struct LiveSettings {
    size_t max_connections;
    size_t max_connections_per_ip;
    double idle_timeout_seconds;
    double ban_seconds;
    VarDiffOptions vardiff;
  };
  void apply(const LiveSettings& settings);
  /// The session configuration a new connection starts with (changes on reload).
  SessionConfig session_config() const;
  double idle_timeout_seconds() const { return idle_timeout_seconds_; }
  /// Gives every miner subscribed to extranonce changes a new extranonce1 (mining.set_extranonce).
  void rotate_extranonces();

  /// Restricts the extranonce1s handed out (and resumed) to those whose first byte is `prefix`,
  /// the byte this instance leased in the database (store::ExtranonceLease); nullopt = any.
  /// Sessions already connected keep theirs.
  void set_extranonce_prefix(std::optional<uint8_t> prefix);
  std::optional<uint8_t> extranonce_prefix() const;

  PoolStats& stats() { return stats_; }
  /// Milliseconds the last broadcast took to reach (be written to) every session.
  double last_broadcast_ms() const { return last_broadcast_ms_; }
  size_t banned_ips() const;

 private:
  class Connection;
  class PlainConnection;
  class TlsConnection;
  struct Listener;
  struct Worker;
  class Host;
  friend class Connection;

  void listen(Listener& listener, uint16_t port, const char* what);
  void accept(Listener& listener);
  void closed(Worker& worker, Connection* connection, const std::string& ip, const std::string& extranonce1, bool ban,
              size_t workers);
  bool is_banned(const std::string& ip);
  void add_ban(const std::string& ip);
  std::string claim_extranonce1(const std::string& requested);
  void release_extranonce1(const std::string& extranonce1);

  ServerOptions options_;
  mining::JobRegistry& jobs_;
  bitcoin::Network network_;
  ShareSink& shares_;
  BlockFoundHandler on_block_;
  PoolStats stats_;
  WorkerRegistry worker_names_;
  std::unique_ptr<Host> host_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<Worker> acceptor_worker_;
  std::atomic<size_t> next_worker_{0};
  std::atomic<uint16_t> bound_port_{0};
  std::atomic<uint16_t> tls_bound_port_{0};
  std::unique_ptr<boost::asio::ssl::context> tls_context_;
  std::vector<std::unique_ptr<Listener>> listeners_;  // run on the acceptor worker
  std::atomic<bool> stopping_{false};
  std::atomic<double> last_broadcast_ms_{0};
  std::atomic<double> idle_timeout_seconds_;  // options_.idle_timeout_seconds, changed on reload

  mutable std::mutex mutex_;  // guards the maps below
  std::unordered_map<std::string, size_t> per_ip_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> banned_;
  std::unordered_set<std::string> extranonces_in_use_;
  uint32_t next_extranonce_ = 0;
  std::optional<uint8_t> extranonce_prefix_;
  size_t total_connections_ = 0;
};

}  // namespace pool::stratum
