#pragma once
// A small asynchronous HTTP/1.1 server (Boost.Beast) that hands each request to one handler:
// used by the HTTP API and by the test node's JSON-RPC endpoint.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pool::net {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query
  std::string body;
  std::string authorization;  // the Authorization header, if any
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// Owns a listening socket, its io_context and worker threads. Keep-alive connections.
class HttpServer {
 public:
  /// port 0 picks a free port; see port() after start().
  HttpServer(std::string host, uint16_t port, HttpHandler handler, int threads = 1);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts serving. Throws std::runtime_error naming the address when it cannot bind.
  void start();
  void stop();
  uint16_t port() const;
  /// Failed accepts so far (e.g. while out of file descriptors; those back off).
  uint64_t accept_errors() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pool::net
