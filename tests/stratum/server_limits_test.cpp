// What one Stratum connection may cost: clients that never read their replies (mining.ping and
// mining.get_transactions floods), the handshake deadline, a byte drip, the per-IP default, the
// bounded ban list and the accept loop when descriptors run out.
#include <fcntl.h>

#include "stratum/server_fixture.h"
#include "support/descriptor_exhaustion.h"

namespace pool::stratum {
namespace {

using namespace test_support;
using ServerLimitsTest = ServerTest;

/// A client that writes and never reads: a tiny receive buffer, non-blocking writes. send()
/// writes what the server takes within `patience` and says how much that was.
class NonReadingClient {
 public:
  explicit NonReadingClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect");
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~NonReadingClient() { ::close(fd_); }
  size_t send(const std::string& data, std::chrono::milliseconds patience) {
    size_t sent = 0;
    while (sent < data.size()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(patience.count())) <= 0 || (p.revents & (POLLERR | POLLHUP))) break;
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    return sent;
  }

 private:
  int fd_ = -1;
};

TEST_F(ServerLimitsTest, DefaultPerIpLimitIsNonZeroAndEnforced) {
  EXPECT_EQ(ServerOptions{}.max_connections_per_ip, 256u);
  start();
  std::vector<LineClient> clients;
  for (size_t i = 0; i < ServerOptions{}.max_connections_per_ip; ++i) clients.push_back(connect());
  ASSERT_TRUE(eventually([&] { return server->stats().connections() == clients.size(); }));
  LineClient over = connect();
  const auto line = over.read_line();
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("Too many connections from your address"), std::string::npos);
}

TEST_F(ServerLimitsTest, PingFloodWithoutReadingIsBoundedWhileOthersAreServed) {
  ServerOptions o;
  o.max_queued_bytes = 64 * 1024;
  o.output_stall_seconds = 1;
  start(o);
  LineClient honest = connect();
  login(honest);
  // 2,000 pings whose ids make each reply about 8 KB: 16 MB of replies, far beyond what the
  // kernel's socket buffers hold, to a client that never reads.
  const std::string id = "\"" + std::string(8000, 'p') + "\"";
  std::string flood;
  for (int i = 0; i < 2000; ++i) flood += R"({"id":)" + id + R"(,"method":"mining.ping"})" "\n";
  NonReadingClient flooder(server->port());
  const size_t sent = flooder.send(flood, std::chrono::milliseconds(500));
  EXPECT_LT(sent, flood.size());  // the server stopped reading
  honest.send(R"({"id":77,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(honest)["id"].GetInt(), 77);
  // The flooder is closed for not reading; the honest miner stays.
  ASSERT_TRUE(eventually([&] { return server->stats().connections() == 1; }, std::chrono::seconds(10)));
  const auto stats = server->stats().snapshot(std::chrono::system_clock::now());
  EXPECT_EQ(stats.slow_reader_disconnects, 1u);
  // Never more than the limit plus one reply was queued, whatever the kernel held.
  EXPECT_LE(stats.queued_output_peak_bytes, o.max_queued_bytes + id.size() + 200);
  honest.send(R"({"id":78,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(honest)["id"].GetInt(), 78);
}

TEST_F(ServerLimitsTest, GetTransactionsFloodIsRefusedCheaplyAndBounded) {
  ServerOptions o;
  o.max_queued_bytes = 64 * 1024;
  o.output_stall_seconds = 1;
  o.session.max_invalid_messages = 1000000;  // see the queue bound, not the abuse limit
  start(o);
  LineClient before = connect();
  before.send(R"({"id":1,"method":"mining.get_transactions","params":[]})" "\n");
  EXPECT_EQ(error_code(next(before)), kUnauthorized);

  LineClient honest = connect();
  login(honest);
  honest.send(R"({"id":5,"method":"mining.get_transactions","params":[]})" "\n");
  EXPECT_TRUE(next(honest)["result"].IsArray());

  NonReadingClient flooder(server->port());
  std::string flood = R"({"id":1,"method":"mining.subscribe","params":[]})" "\n"
                      R"({"id":2,"method":"mining.authorize","params":[")" + kWorker + R"(","x"]})" "\n";
  const std::string id = "\"" + std::string(8000, 't') + "\"";
  for (int i = 0; i < 2000; ++i) flood += R"({"id":)" + id + R"(,"method":"mining.get_transactions","params":[]})" "\n";
  flooder.send(flood, std::chrono::milliseconds(500));
  honest.send(R"({"id":6,"method":"mining.get_transactions","params":[]})" "\n");
  EXPECT_TRUE(next(honest)["result"].IsArray());  // the honest miner's second request in its burst
  honest.send(R"({"id":7,"method":"mining.get_transactions","params":[]})" "\n");
  EXPECT_EQ(error_code(next(honest)), kOther);  // over the rate limit
  ASSERT_TRUE(eventually([&] { return server->stats().connections() == 2; }, std::chrono::seconds(10)));
  const auto stats = server->stats().snapshot(std::chrono::system_clock::now());
  // The flooder's queue stays within the limit plus one reply (the rest is the honest miner's).
  EXPECT_LE(stats.queued_output_peak_bytes, o.max_queued_bytes + id.size() + 4096);
  // Every request for the job shared one encoding.
  EXPECT_EQ(host.registry.current()->transactions_encoding->builds(), 1);
}

TEST_F(ServerLimitsTest, HandshakeMustCompleteInTime) {
  ServerOptions o;
  o.handshake_timeout_seconds = 0.5;
  start(o);
  LineClient lazy = connect();
  lazy.send(R"({"id":1,"method":"mining.subscribe","params":[]})" "\n");
  next(lazy);
  const auto started = std::chrono::steady_clock::now();
  // Pings are valid messages but do not complete the handshake.
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    lazy.send(R"({"id":2,"method":"mining.ping"})" "\n");
    closed = lazy.closed_by_peer(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(8));
  LineClient miner = connect();
  login(miner);
  EXPECT_FALSE(miner.closed_by_peer(std::chrono::milliseconds(1000)));  // past the deadline, still served
}

TEST_F(ServerLimitsTest, DrippingBytesDoNotHoldASlot) {
  ServerOptions o;
  o.idle_timeout_seconds = 0.5;
  start(o);
  LineClient dripper = connect();
  // One byte every 100 ms, never a whole line: not activity.
  const auto started = std::chrono::steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    dripper.send(i == 0 ? "{" : "a");
    closed = dripper.closed_by_peer(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(8));
}

TEST_F(ServerLimitsTest, BanListIsBounded) {
  ServerOptions o;
  o.ban_seconds = 60;
  o.max_banned_ips = 2;
  start(o);
  for (const std::string ip : {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
    LineClient c("127.0.0.1", server->port(), ip);
    const Login l = login(c);
    std::string burst;
    for (uint32_t i = 0; i < 25; ++i) burst += share(l, i, std::to_string(i), true);
    c.send(burst);
    EXPECT_TRUE(c.closed_by_peer());
    EXPECT_LE(server->banned_ips(), 2u);
  }
  EXPECT_EQ(server->banned_ips(), 2u);
  LineClient oldest("127.0.0.1", server->port(), "127.0.0.2");  // its ban made room for the newest
  oldest.send(R"({"id":1,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(oldest)["id"].GetInt(), 1);
  LineClient newest("127.0.0.1", server->port(), "127.0.0.4");
  EXPECT_TRUE(newest.closed_by_peer());
}

TEST_F(ServerLimitsTest, AcceptBacksOffWhenOutOfDescriptors) {
  start();
  LineClient warm = connect();
  warm.send(R"({"id":1,"method":"mining.ping"})" "\n");
  next(warm);
  test::EarlySocket client;  // made before descriptors run out; the server's accept needs a new one
  test::DescriptorExhaustion exhaustion;
  ASSERT_TRUE(client.connect(server->port()));  // waits in the backlog
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return server->stats().accept_errors() > 0; }));
  // The episode lasts a second: its length, not synchronization.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const uint64_t errors = server->stats().accept_errors();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  // Backing off from 100 ms, at most one failed accept per 100 ms (a spinning loop makes thousands).
  EXPECT_LE(errors, 2u + static_cast<uint64_t>(elapsed.count() / 100));
  exhaustion.release();
  // Descriptors are back: the waiting client is served.
  ASSERT_TRUE(client.send(R"({"id":5,"method":"mining.ping"})" "\n"));
  EXPECT_NE(client.receive().find("pong"), std::string::npos);
}

}  // namespace
}  // namespace pool::stratum
