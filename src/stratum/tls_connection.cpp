#include <spdlog/spdlog.h>

#include "stratum/connection.h"

namespace pool::stratum {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

StratumServer::TlsConnection::TlsConnection(StratumServer& server, Worker& worker, asio::io_context& ioc,
                                            tcp::socket socket, std::string ip, SessionHost& host,
                                            const ServerOptions& options, ShareSink& shares, PoolStats& stats,
                                            asio::ssl::context& context)
    : Connection(server, worker, ioc, std::move(ip), host, options, shares, stats), stream_(std::move(socket), context) {}

void StratumServer::TlsConnection::start_transport() {
  boost::system::error_code ignored;
  stream_.next_layer().set_option(tcp::no_delay(true), ignored);
  // The connection's timer is already running: a handshake that does not finish within the
  // handshake deadline is closed like a miner that never authorizes.
  stream_.async_handshake(asio::ssl::stream_base::server, [self = shared_from_this(), this](boost::system::error_code ec) {
    if (ec) return close(ec == asio::error::operation_aborted ? "" : "TLS handshake failed: " + ec.message());
    transport_ready();
  });
}

void StratumServer::TlsConnection::read() {
  stream_.async_read_some(asio::buffer(buffer_), [self = shared_from_this(), this](boost::system::error_code ec, size_t n) {
    if (ec) {
      return close(ec == asio::error::operation_aborted || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated
                       ? ""
                       : ec.message());
    }
    if (consume(buffer_.data(), n)) read();
  });
}

void StratumServer::TlsConnection::write() {
  asio::async_write(stream_, buffers_, [self = shared_from_this(), this](boost::system::error_code ec, size_t) {
    on_written(ec);
  });
}

void StratumServer::TlsConnection::close_transport() {
  boost::system::error_code ignored;
  stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
}

}  // namespace pool::stratum
