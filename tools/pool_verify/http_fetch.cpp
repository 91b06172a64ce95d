#include "tools/pool_verify/http_fetch.h"

#include <stdexcept>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace pool::verify {

HttpUrl parse_http_url(const std::string& url) {
  static const std::string kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) throw std::invalid_argument("'" + url + "' is not an http:// URL");
  std::string rest = url.substr(kScheme.size());
  HttpUrl out;
  const size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    out.base = rest.substr(slash);
    rest = rest.substr(0, slash);
    while (!out.base.empty() && out.base.back() == '/') out.base.pop_back();
  }
  const size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    const std::string credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = credentials.find(':');
    out.user = credentials.substr(0, colon);
    if (colon != std::string::npos) out.password = credentials.substr(colon + 1);
  }
  const size_t colon = rest.rfind(':');
  out.host = rest.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    int p = 0;
    try {
      size_t used = 0;
      p = std::stoi(port, &used);
      if (used != port.size()) p = 0;
    } catch (const std::exception&) {
      p = 0;
    }
    if (p < 1 || p > 65535) throw std::invalid_argument("'" + url + "' has a bad port '" + port + "'");
    out.port = static_cast<uint16_t>(p);
  }
  if (out.host.empty()) throw std::invalid_argument("'" + url + "' names no host");
  return out;
}

HttpReply http_get(const HttpUrl& url, const std::string& target, std::chrono::milliseconds timeout) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::request<http::empty_body> req{http::verb::get, url.base + target, 11};
  req.set(http::field::host, url.host);
  req.set(http::field::user_agent, "pool-verify");
  beast::error_code failure;
  boost::asio::ip::tcp::resolver resolver(ioc);
  stream.expires_after(timeout);
  resolver.async_resolve(url.host, std::to_string(url.port), [&](beast::error_code ec, auto endpoints) {
    if (ec) return void(failure = ec);
    stream.async_connect(endpoints, [&](beast::error_code ec2, auto) {
      if (ec2) return void(failure = ec2);
      http::async_write(stream, req, [&](beast::error_code ec3, size_t) {
        if (ec3) return void(failure = ec3);
        http::async_read(stream, buffer, parser, [&](beast::error_code ec4, size_t) { failure = ec4; });
      });
    });
  });
  ioc.run();
  if (failure) {
    throw std::runtime_error("GET http://" + url.host + ":" + std::to_string(url.port) + url.base + target + ": " +
                             failure.message());
  }
  return {static_cast<int>(parser.get().result_int()), parser.get().body()};
}

}  // namespace pool::verify
