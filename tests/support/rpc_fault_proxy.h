#pragma once
// Test helper: a JSON-RPC proxy on loopback between the pool and a (test) node that injects
// faults per method: delay, hang, lose the reply after the node answered, answer half a reply
// and stall, or refuse. It records every request it saw and forwarded, in order.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pool::test {

enum class Fault {
  kNone,
  kDelay,      // wait `duration`, then forward and answer (a slow node)
  kHang,       // accept the request, never forward it, never answer (until released or stopped)
  kDropReply,  // forward it, let the node answer, then close without passing the reply on
  kHalfReply,  // forward it, pass on the first half of the reply, then stall (until released)
  kRefuse,     // close the connection at once, without forwarding
};

/// Owns a listening socket on 127.0.0.1 and one thread per client connection. Thread-safe.
class RpcFaultProxy {
 public:
  RpcFaultProxy(std::string upstream_host, uint16_t upstream_port);
  ~RpcFaultProxy();
  RpcFaultProxy(const RpcFaultProxy&) = delete;
  RpcFaultProxy& operator=(const RpcFaultProxy&) = delete;

  uint16_t port() const { return port_; }
  /// Applies `fault` to the next `times` requests for `method` ("*" = any method without a rule
  /// of its own; times < 0 = every one).
  void set_fault(const std::string& method, Fault fault, std::chrono::milliseconds duration = {}, int times = -1);
  void clear_faults();
  /// Ends every current hang and half-reply stall (their connections are closed).
  void release();

  /// Requests received for `method`, and how many of them reached the node.
  int received(const std::string& method) const;
  int forwarded(const std::string& method) const;
  /// When the first request for `method` arrived since reset_log(), if any.
  std::optional<std::chrono::steady_clock::time_point> first_arrival(const std::string& method) const;
  void reset_log();

 private:
  struct Rule {
    Fault fault = Fault::kNone;
    std::chrono::milliseconds duration{};
    int times = -1;
  };
  Rule take_rule(const std::string& method);
  void accept_loop();
  void serve(int fd);
  /// Waits up to `limit` (forever if zero) or until release()/stop; true if released/stopping.
  bool wait_released(std::chrono::milliseconds limit);
  std::string forward(const std::string& raw_request, bool& ok);

  std::string upstream_host_;
  uint16_t upstream_port_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable released_cv_;
  uint64_t release_generation_ = 0;
  std::map<std::string, Rule> rules_;
  std::map<std::string, int> received_, forwarded_;
  std::map<std::string, std::chrono::steady_clock::time_point> first_arrival_;
  std::vector<int> client_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace pool::test
