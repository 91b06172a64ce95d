#include "node/rpc_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>

#include <fstream>
#include <thread>

#include "util/json.h"

namespace pool::node {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

struct RpcClient::Connection {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool open = false;
};

RpcClient::RpcClient(RpcOptions options) : options_(std::move(options)), connection_(std::make_unique<Connection>()) {}
RpcClient::~RpcClient() = default;

std::string RpcClient::authorization() const {
  std::string credentials;
  if (!options_.user.empty() || !options_.password.empty()) {
    credentials = options_.user + ":" + options_.password;
  } else if (!options_.cookie_file.empty()) {
    // Bitcoin Core rewrites the cookie on every start, so it is read again on each connect.
    std::ifstream in(options_.cookie_file);
    if (!in) throw RpcTransportError("cannot read the node's cookie file " + options_.cookie_file);
    std::getline(in, credentials);
  }
  if (credentials.empty()) return {};
  std::string encoded(beast::detail::base64::encoded_size(credentials.size()), '\0');
  encoded.resize(beast::detail::base64::encode(encoded.data(), credentials.data(), credentials.size()));
  return "Basic " + encoded;
}

std::string RpcClient::post_once(const std::string& path, const std::string& body) {
  Connection& c = *connection_;
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  const bool reused = c.open;
  try {
    if (!c.open) {
      asio::ip::tcp::resolver resolver(c.ioc);
      const auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port));
      c.stream.expires_after(options_.timeout);
      c.stream.connect(endpoints);
      c.open = true;
      c.buffer.clear();
    }
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::host, options_.host);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    const std::string auth = authorization();
    if (!auth.empty()) req.set(http::field::authorization, auth);
    req.body() = body;
    req.prepare_payload();
    c.stream.expires_after(options_.timeout);
    http::write(c.stream, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);  // large blocks via getblock
    http::read(c.stream, c.buffer, parser);
    auto res = parser.release();
    if (!res.keep_alive()) {
      beast::error_code ignored;
      c.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      c.stream.close();
      c.open = false;
    }
    if (res.result() == http::status::unauthorized || res.result() == http::status::forbidden) {
      throw RpcTransportError("node at " + where + " refused the RPC credentials (HTTP " +
                              std::to_string(res.result_int()) + "); check [bitcoin] user/password or cookie_file");
    }
    if (res.body().empty()) {
      throw RpcTransportError("node at " + where + " answered HTTP " + std::to_string(res.result_int()) + " with no body");
    }
    return std::move(res.body());
  } catch (const boost::system::system_error& e) {
    beast::error_code ignored;
    c.stream.socket().close(ignored);
    c.open = false;
    // A kept-alive connection the node has since closed fails on first use: reconnect once.
    if (reused) return post_once(path, body);
    throw RpcTransportError("cannot reach node at " + where + ": " + e.code().message());
  }
}

rapidjson::Document RpcClient::call(std::string_view method, std::string_view params_json, std::string_view path) {
  std::lock_guard lock(mutex_);
  const std::string body = "{\"jsonrpc\":\"1.0\",\"id\":" + std::to_string(next_id_++) +
                           ",\"method\":" + util::quote(method) + ",\"params\":" + std::string(params_json) + "}";
  auto backoff = options_.backoff_initial;
  std::string text;
  for (int attempt = 1;; ++attempt) {
    const auto started = std::chrono::steady_clock::now();
    try {
      text = post_once(std::string(path), body);
      last_latency_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
      break;
    } catch (const RpcTransportError&) {
      if (attempt >= options_.max_attempts) throw;
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }
  rapidjson::Document reply;
  try {
    reply = util::parse_json(text);
  } catch (const util::JsonError& e) {
    throw RpcTransportError(std::string("node answered something that is not JSON: ") + e.what());
  }
  if (!reply.IsObject()) throw RpcTransportError("node answered a JSON value that is not an object");
  if (util::has_member(reply, "error")) {
    const auto& err = reply["error"];
    const int code = err.HasMember("code") && err["code"].IsInt() ? err["code"].GetInt() : 0;
    const std::string message = err.HasMember("message") && err["message"].IsString() ? err["message"].GetString() : util::to_json(err);
    throw RpcError(code, message);
  }
  rapidjson::Document result;
  if (reply.HasMember("result")) result.CopyFrom(reply["result"], result.GetAllocator());
  return result;
}

std::chrono::microseconds RpcClient::last_latency() const {
  std::lock_guard lock(mutex_);
  return last_latency_;
}

}  // namespace pool::node
