#include "tools/minerlib/line_client.h"

#include <poll.h>

#include <optional>
#include <stdexcept>
#include <utility>  // Boost 1.74 Asio needs std::exchange declared first

#include <boost/asio.hpp>

namespace pool::minerlib {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct LineClient::Impl {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  std::string buffer;
};

LineClient::LineClient(const std::string& host, uint16_t port, const std::string& local_ip)
    : impl_(std::make_unique<Impl>()) {
  try {
    const tcp::endpoint remote(asio::ip::make_address(host), port);
    impl_->socket.open(remote.protocol());
    if (!local_ip.empty()) impl_->socket.bind(tcp::endpoint(asio::ip::make_address(local_ip), 0));
    impl_->socket.connect(remote);
    impl_->socket.set_option(tcp::no_delay(true));
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port) + ": " + e.code().message());
  }
}

LineClient::~LineClient() = default;
LineClient::LineClient(LineClient&&) noexcept = default;

void LineClient::send(const std::string& data) { asio::write(impl_->socket, asio::buffer(data)); }

std::optional<std::string> LineClient::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const size_t nl = impl_->buffer.find('\n');
    if (nl != std::string::npos) {
      std::string line = impl_->buffer.substr(0, nl);
      impl_->buffer.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{impl_->socket.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char chunk[65536];
    boost::system::error_code ec;
    const size_t n = impl_->socket.read_some(asio::buffer(chunk), ec);
    if (ec) throw std::runtime_error("connection closed: " + ec.message());
    impl_->buffer.append(chunk, n);
  }
}

bool LineClient::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    try {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      if (!read_line(left)) return false;
    } catch (const std::runtime_error&) {
      return true;
    }
  }
}

int LineClient::native_handle() const { return impl_->socket.native_handle(); }

}  // namespace pool::minerlib
