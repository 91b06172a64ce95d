#include "net/http_server.h"

#include <optional>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <stdexcept>

#include "util/accept_backoff.h"

namespace pool::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpHandler& handler) : stream_(std::move(socket)), handler_(handler) {}
  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(64 * 1024 * 1024);
    stream_.expires_after(std::chrono::seconds(120));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return close();
    auto req = parser_->release();
    HttpRequest request{std::string(req.method_string()), std::string(req.target()), std::move(req.body()),
                        std::string(req[http::field::authorization])};
    HttpResponse out;
    try {
      out = handler_(request);
    } catch (const std::exception& e) {
      out = HttpResponse{500, "application/json", std::string("{\"error\":\"internal error\"}")};
    }
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(out.status), req.version());
    res->set(http::field::server, "bitcoin-mining-pool");
    res->set(http::field::content_type, out.content_type);
    res->keep_alive(req.keep_alive());
    res->body() = std::move(out.body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code wec, size_t) {
      if (wec || !res->keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpHandler& handler_;
};

}  // namespace

struct HttpServer::Impl {
  std::string host;
  uint16_t requested_port;
  HttpHandler handler;
  int threads;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> workers;
  std::atomic<uint16_t> bound_port{0};

  asio::steady_timer accept_retry{ioc};  // back-off when out of descriptors
  util::AcceptBackoff backoff;
  std::atomic<uint64_t> accept_errors{0};

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {
        ++accept_errors;
        bool starts = false;
        const auto wait = backoff.failed(ec.value(), &starts);
        if (starts) spdlog::warn("http: cannot accept connections on port {} ({}); retrying with back-off", bound_port.load(), ec.message());
        if (wait.count() > 0) {
          accept_retry.expires_after(wait);
          accept_retry.async_wait([this](beast::error_code e) {
            if (!e && acceptor.is_open()) accept();
          });
          return;
        }
      } else {
        if (backoff.succeeded()) spdlog::info("http: accepting connections on port {} again", bound_port.load());
        std::make_shared<Session>(std::move(socket), handler)->start();
      }
      accept();
    });
  }
};

HttpServer::HttpServer(std::string host, uint16_t port, HttpHandler handler, int threads)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->requested_port = port;
  impl_->handler = std::move(handler);
  impl_->threads = threads;
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  Impl& s = *impl_;
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(s.host), s.requested_port);
    s.acceptor.open(endpoint.protocol());
    s.acceptor.set_option(asio::socket_base::reuse_address(true));
    s.acceptor.bind(endpoint);
    s.acceptor.listen();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + s.host + ":" + std::to_string(s.requested_port) + ": " +
                             e.code().message());
  }
  s.bound_port = s.acceptor.local_endpoint().port();
  s.accept();
  for (int i = 0; i < s.threads; ++i) s.workers.emplace_back([&s] { s.ioc.run(); });
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (s.workers.empty()) return;
  asio::post(s.ioc, [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    s.accept_retry.cancel(ignored);
  });
  s.ioc.stop();
  for (auto& t : s.workers) t.join();
  s.workers.clear();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

uint64_t HttpServer::accept_errors() const { return impl_->accept_errors; }

}  // namespace pool::net
