#include "testnode/test_node.h"

#include <boost/beast/core/detail/base64.hpp>

#include <fstream>
#include <mutex>
#include <random>
#include <zmq.hpp>

#include "bitcoin/hex.h"

namespace pool::testnode {

struct TestNode::Zmq {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::pub};
  std::mutex mutex;
  uint32_t sequence = 0;
};

namespace {
std::string basic(const std::string& credentials) {
  std::string out(boost::beast::detail::base64::encoded_size(credentials.size()), '\0');
  out.resize(boost::beast::detail::base64::encode(out.data(), credentials.data(), credentials.size()));
  return "Basic " + out;
}
}  // namespace

TestNode::TestNode(TestNodeOptions options) : options_(std::move(options)), service_(options_.bits, options_.wallet_name, options_.wallet_seed) {
  if (!options_.cookie_file.empty()) {
    std::random_device rd;
    uint8_t secret[16];
    for (auto& b : secret) b = static_cast<uint8_t>(rd());
    const std::string credentials = "__cookie__:" + bitcoin::to_hex(secret);
    std::ofstream(options_.cookie_file) << credentials;
    expected_auth_ = basic(credentials);
  } else if (!options_.user.empty() || !options_.password.empty()) {
    expected_auth_ = basic(options_.user + ":" + options_.password);
  }
  if (!options_.zmq_hashblock.empty()) {
    zmq_ = std::make_unique<Zmq>();
    zmq_->socket.set(zmq::sockopt::linger, 0);
    zmq_->socket.bind(options_.zmq_hashblock);
  }
  service_.on_tip_changed([this](const bitcoin::Uint256& hash) { publish_hashblock(hash); });
}

TestNode::~TestNode() { stop(); }

void TestNode::start() {
  server_ = std::make_unique<net::HttpServer>(options_.host, options_.port,
                                              [this](const net::HttpRequest& r) { return handle(r); });
  server_->start();
  options_.port = server_->port();  // a restart reuses the same port
}

void TestNode::stop() {
  if (server_) server_->stop();
  server_.reset();
}

uint16_t TestNode::port() const { return options_.port; }

net::HttpResponse TestNode::handle(const net::HttpRequest& request) {
  if (!expected_auth_.empty() && request.authorization != expected_auth_) {
    return net::HttpResponse{401, "text/plain", ""};
  }
  if (request.method != "POST") return net::HttpResponse{405, "text/plain", "JSONRPC server handles only POST requests"};
  int status = 200;
  std::string body = service_.handle(request.body, &status);
  return net::HttpResponse{status, "application/json", std::move(body) + "\n"};
}

void TestNode::publish_hashblock(const bitcoin::Uint256& hash) {
  if (!zmq_) return;
  std::lock_guard lock(zmq_->mutex);
  uint8_t body[32];
  for (size_t i = 0; i < 32; ++i) body[i] = hash.data()[31 - i];  // display order, as Core sends
  uint8_t seq[4];
  bitcoin::write_le32(seq, zmq_->sequence++);
  zmq_->socket.send(zmq::buffer(std::string_view("hashblock")), zmq::send_flags::sndmore);
  zmq_->socket.send(zmq::buffer(body, 32), zmq::send_flags::sndmore);
  zmq_->socket.send(zmq::buffer(seq, 4), zmq::send_flags::none);
}

}  // namespace pool::testnode
