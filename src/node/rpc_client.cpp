#include "node/rpc_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <fstream>
#include <optional>
#include <thread>

#include "util/json.h"

namespace pool::node {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

bool is_non_idempotent_method(std::string_view method) {
  // Wallet calls that spend, sign for broadcast or change what the wallet will spend next.
  static constexpr std::array<std::string_view, 12> kOnce = {
      "sendmany",     "sendtoaddress", "send",           "sendall",   "bumpfee",        "psbtbumpfee",
      "lockunspent", "abandontransaction", "walletpassphrase", "importdescriptors", "createwallet", "keypoolrefill"};
  for (const auto m : kOnce) {
    if (m == method) return true;
  }
  return false;
}

struct RpcClient::Connection {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool open = false;
};

/// What one attempt got as far as, so call() knows whether a retry could repeat an effect.
struct RpcClient::Attempt {
  bool reused = false;      // the request went out on a kept-alive connection
  bool bytes_sent = false;  // some of the request may have reached the node
  bool answered = false;    // a complete HTTP reply came back
  bool timed_out = false;
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

void RpcClient::close_connection() {
  Connection& c = *connection_;
  beast::error_code ignored;
  c.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  c.stream.socket().close(ignored);
  c.open = false;
  c.buffer.clear();
}

namespace {

/// Runs `ioc` until the one operation started on it has completed. The tcp_stream's expiry
/// closes the socket at the deadline, so this returns by then at the latest.
void run_until_done(asio::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

}  // namespace

std::string RpcClient::post_once(const std::string& path, const std::string& body, bool once, Attempt& attempt) {
  Connection& c = *connection_;
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  // A call that must not run twice never rides on a kept-alive connection the node may have
  // closed meanwhile: that failure would look like an unknown outcome.
  if (once && c.open) close_connection();
  attempt.reused = c.open;
  beast::error_code ec;
  const char* phase = "connect to";
  const std::string auth = authorization();
  if (!c.open) {
    asio::ip::tcp::resolver::results_type endpoints;
    beast::error_code parse_error;
    const auto address = asio::ip::make_address(options_.host, parse_error);
    if (!parse_error) {
      endpoints = asio::ip::tcp::resolver::results_type::create(asio::ip::tcp::endpoint(address, options_.port),
                                                                options_.host, std::to_string(options_.port));
    } else {
      asio::ip::tcp::resolver resolver(c.ioc);
      endpoints = resolver.resolve(options_.host, std::to_string(options_.port), ec);
      if (ec) throw RpcTransportError("cannot resolve node host " + options_.host + ": " + ec.message());
    }
    c.stream.expires_at(deadline);
    c.stream.async_connect(endpoints, [&](beast::error_code e, const auto&) { ec = e; });
    run_until_done(c.ioc);
    if (ec) {
      close_connection();
      attempt.timed_out = ec == beast::error::timeout;
      throw RpcTransportError("cannot reach node at " + where + ": " +
                              (attempt.timed_out ? "connect timed out after " + std::to_string(options_.timeout.count()) + " ms"
                                                 : ec.message()));
    }
    c.open = true;
    c.buffer.clear();
  }
  http::request<http::string_body> req{http::verb::post, path, 11};
  req.set(http::field::host, options_.host);
  req.set(http::field::content_type, "application/json");
  req.keep_alive(true);
  if (!auth.empty()) req.set(http::field::authorization, auth);
  req.body() = body;
  req.prepare_payload();

  size_t written = 0;
  phase = "send to";
  c.stream.expires_at(deadline);
  http::async_write(c.stream, req, [&](beast::error_code e, size_t n) {
    ec = e;
    written = n;
  });
  run_until_done(c.ioc);
  // A failed write on a fresh connection that wrote nothing provably never reached the node.
  attempt.bytes_sent = written > 0 || !ec || attempt.reused;
  http::response_parser<http::string_body> parser;
  if (!ec) {
    phase = "read from";
    parser.body_limit(256 * 1024 * 1024);  // large blocks via getblock
    c.stream.expires_at(deadline);
    http::async_read(c.stream, c.buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    run_until_done(c.ioc);
  }
  if (ec) {
    close_connection();
    attempt.timed_out = ec == beast::error::timeout;
    throw RpcTransportError(std::string("cannot ") + (attempt.timed_out ? "get an answer from" : phase) + " node at " +
                            where + ": " +
                            (attempt.timed_out ? "timed out after " + std::to_string(options_.timeout.count()) + " ms"
                                               : ec.message()));
  }
  attempt.answered = true;
  auto res = parser.release();
  if (!res.keep_alive()) close_connection();
  if (res.result() == http::status::unauthorized || res.result() == http::status::forbidden) {
    throw RpcTransportError("node at " + where + " refused the RPC credentials (HTTP " +
                            std::to_string(res.result_int()) + "); check [bitcoin] user/password or cookie_file");
  }
  if (res.body().empty()) {
    throw RpcTransportError("node at " + where + " answered HTTP " + std::to_string(res.result_int()) + " with no body");
  }
  return std::move(res.body());
}

rapidjson::Document RpcClient::call(std::string_view method, std::string_view params_json, std::string_view path,
                                    RpcCall kind) {
  const bool once = kind == RpcCall::kOnce || is_non_idempotent_method(method);
  std::lock_guard lock(mutex_);
  const std::string body = "{\"jsonrpc\":\"1.0\",\"id\":" + std::to_string(next_id_++) +
                           ",\"method\":" + util::quote(method) + ",\"params\":" + std::string(params_json) + "}";
  auto backoff = options_.backoff_initial;
  std::string text;
  bool reconnected = false;
  for (int attempt = 1;; ++attempt) {
    const auto started = std::chrono::steady_clock::now();
    Attempt a;
    try {
      text = post_once(std::string(path), body, once, a);
      last_latency_us_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
      break;
    } catch (const RpcTransportError& e) {
      if (once && a.bytes_sent) {
        // It left and no usable answer came: the node may have run it. Never send it again.
        if (a.answered) throw;  // e.g. HTTP 401: the node refused it unexecuted
        throw RpcOutcomeUnknown(std::string(method) + " was sent but its outcome is unknown (not retried): " + e.what());
      }
      if (a.answered) throw;  // the node answered: asking again gives the same answer
      // A kept-alive connection the node has since closed fails on first use: reconnect once.
      if (a.reused && !a.timed_out && !reconnected) {
        reconnected = true;
        --attempt;
        continue;
      }
      if (a.timed_out && a.bytes_sent) throw;  // a hung node: do not wait for it again
      if (attempt >= options_.max_attempts) throw;
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }
  rapidjson::Document reply;
  try {
    reply = util::parse_json(text);
  } catch (const util::JsonError& e) {
    if (once) throw RpcOutcomeUnknown(std::string(method) + " answered something that is not JSON: " + e.what());
    throw RpcTransportError(std::string("node answered something that is not JSON: ") + e.what());
  }
  if (!reply.IsObject()) {
    if (once) throw RpcOutcomeUnknown(std::string(method) + " answered a JSON value that is not an object");
    throw RpcTransportError("node answered a JSON value that is not an object");
  }
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

std::chrono::microseconds RpcClient::last_latency() const { return std::chrono::microseconds(last_latency_us_.load()); }

}  // namespace pool::node
