#pragma once
// pool-verify's one HTTP GET (Boost.Beast, plain HTTP/1.1, a deadline), and the URL pieces it
// needs: http://HOST[:PORT][/BASE].
#include <chrono>
#include <cstdint>
#include <string>

namespace pool::verify {

struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string base;      // path prefix without a trailing '/', may be empty
  std::string user;      // from user:password@ (RPC URLs)
  std::string password;
};

/// Parses http://[user[:password]@]host[:port][/path]. Throws std::invalid_argument naming the problem.
HttpUrl parse_http_url(const std::string& url);

struct HttpReply {
  int status = 0;
  std::string body;
};

/// GET base + target. Throws std::runtime_error when the server cannot be reached or answers
/// nothing within `timeout`.
HttpReply http_get(const HttpUrl& url, const std::string& target, std::chrono::milliseconds timeout);

}  // namespace pool::verify
