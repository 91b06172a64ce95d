#pragma once
// JSON-RPC over HTTP to Bitcoin Core: one reused keep-alive connection, basic auth from
// user/password or the node's cookie file, timeouts, and retries with backoff.
#include <rapidjson/document.h>

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

struct RpcOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8332;
  std::string user;
  std::string password;
  std::string cookie_file;  // used when user/password are empty
  std::chrono::milliseconds timeout{10000};
  int max_attempts = 3;  // transport failures are retried this many times in all
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
  /// node answered an error, RpcTransportError when it could not be reached after retries.
  rapidjson::Document call(std::string_view method, std::string_view params_json = "[]",
                           std::string_view path = "/");

  /// Round-trip time of the last successful call, for metrics.
  std::chrono::microseconds last_latency() const;
  const RpcOptions& options() const noexcept { return options_; }

 private:
  struct Connection;
  std::string authorization() const;
  std::string post_once(const std::string& path, const std::string& body);

  RpcOptions options_;
  mutable std::mutex mutex_;
  std::unique_ptr<Connection> connection_;
  uint64_t next_id_ = 1;
  std::chrono::microseconds last_latency_{0};
};

}  // namespace pool::node
