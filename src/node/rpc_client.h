#pragma once
// JSON-RPC over HTTP to Bitcoin Core: one reused keep-alive connection, basic auth from
// user/password or the node's cookie file, a real deadline on every call (connect, write and
// read run asynchronously on a private io_context under one timer), and retries with backoff
// only where a retry cannot repeat an effect on the node.
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pool::node {

/// The node answered with a JSON-RPC error object (e.g. -8 "Block height out of range").
class RpcError : public std::runtime_error {
 public:
  RpcError(int code, const std::string& message)
      : std::runtime_error("RPC error " + std::to_string(code) + ": " + message), code_(code), message_(message) {}
  int code() const noexcept { return code_; }
  const std::string& rpc_message() const noexcept { return message_; }

 private:
  int code_;
  std::string message_;
};

/// The node could not be reached or did not answer in time, or answered something that is not
/// JSON-RPC (for example HTTP 401 for wrong credentials). The message says which.
class RpcTransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A call that must not run twice (RpcCall::kOnce) was sent, at least in part, and no complete
/// reply came back: the node may or may not have executed it. Never retried; the caller must
/// find out (e.g. a payout is reconciled against the wallet by its comment).
class RpcOutcomeUnknown : public RpcTransportError {
 public:
  using RpcTransportError::RpcTransportError;
};

/// Whether a call may be repeated when its outcome is unknown.
enum class RpcCall {
  kIdempotent,  // reads, submitblock (a second copy answers "duplicate"): retried on transport errors
  kOnce,        // spends or changes wallet state: on the wire at most once
};

/// Methods that move money or change wallet state; call() treats them as RpcCall::kOnce whatever
/// the caller passes.
bool is_non_idempotent_method(std::string_view method);

struct RpcOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8332;
  std::string user;
  std::string password;
  std::string cookie_file;  // used when user/password are empty
  /// Deadline of one attempt: resolve, connect, write and read together.
  std::chrono::milliseconds timeout{10000};
  int max_attempts = 3;  // transport failures of idempotent calls are tried this many times in all
  std::chrono::milliseconds backoff_initial{100};
};

/// Owns one HTTP connection to the node; calls are serialized by a mutex. Thread-safe.
class RpcClient {
 public:
  explicit RpcClient(RpcOptions options);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  /// Calls `method` with `params_json` (a JSON array or object) on `path` ("/" or
  /// "/wallet/NAME"). Returns the "result" value in its own document. Throws RpcError when the
  /// node answered an error, RpcTransportError when it could not be reached (after retries, for
  /// idempotent calls; a timed-out attempt is not retried), RpcOutcomeUnknown when a kOnce call
  /// left and no reply came. A kOnce call opens a fresh connection and is retried only when it
  /// provably never reached the node (connect failed, or nothing of it was written).
  rapidjson::Document call(std::string_view method, std::string_view params_json = "[]", std::string_view path = "/",
                           RpcCall kind = RpcCall::kIdempotent);

  /// Round-trip time of the last successful call, for metrics. Never blocks (not even while a
  /// call is in progress).
  std::chrono::microseconds last_latency() const;
  const RpcOptions& options() const noexcept { return options_; }

 private:
  struct Connection;
  struct Attempt;
  std::string authorization() const;
  std::string post_once(const std::string& path, const std::string& body, bool once, Attempt& attempt);
  void close_connection();

  RpcOptions options_;
  std::mutex mutex_;
  std::unique_ptr<Connection> connection_;
  uint64_t next_id_ = 1;
  std::atomic<int64_t> last_latency_us_{0};
};

}  // namespace pool::node
