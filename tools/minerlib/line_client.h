#pragma once
// A blocking, line-oriented TCP client with timeouts, for tests and tools that talk Stratum.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace pool::minerlib {

/// Owns one TCP connection.
class LineClient {
 public:
  /// Connects to host:port, optionally binding the local side to `local_ip` (to spread source
  /// addresses over 127.0.0.0/8). Throws std::runtime_error on failure.
  LineClient(const std::string& host, uint16_t port, const std::string& local_ip = "");
  ~LineClient();
  LineClient(LineClient&&) noexcept;

  void send(const std::string& data);
  /// The next line without '\n', or nullopt on timeout; throws std::runtime_error on EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// True when the server closed the connection within `timeout` (data before EOF is skipped).
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  int native_handle() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pool::minerlib
