// The Stratum server over real sockets: pipelined openings, every method and reject code, huge
// lines, binary junk, limits, idle timeout, bans, session resume, broadcast and shutdown.
#include "stratum/server.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <thread>

#include "bitcoin/sha256.h"
#include "stratum/fake_host.h"
#include "support/descriptor_exhaustion.h"
#include "support/eventually.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::stratum {
namespace {

using minerlib::LineClient;
const std::string kWorker = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.rig";

/// Records shares; with a delay, acknowledges them later from another thread.
class RecordingSink : public ShareSink {
 public:
  explicit RecordingSink(std::chrono::milliseconds delay = std::chrono::milliseconds(0)) : delay_(delay) {}
  ~RecordingSink() override { flush(); }
  void record(const AcceptedShare& share, std::function<void()> done) override {
    {
      std::lock_guard lock(mutex_);
      shares.push_back(share);
    }
    if (delay_.count() == 0) return done();
    threads_.emplace_back([d = delay_, done] {
      std::this_thread::sleep_for(d);  // stands in for a database commit, not for synchronization
      done();
    });
  }
  void flush() override {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  size_t count() {
    std::lock_guard lock(mutex_);
    return shares.size();
  }
  std::vector<AcceptedShare> shares;

 private:
  std::chrono::milliseconds delay_;
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

using test::eventually;

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

struct Login {
  bitcoin::Bytes extranonce1;
  size_t extranonce2_size = 0;
  double difficulty = 0;
  minerlib::MinerJob job;
};

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions o = {}, std::chrono::milliseconds sink_delay = std::chrono::milliseconds(0)) {
    host.add_job();
    o.host = o.host.empty() ? "127.0.0.1" : o.host;
    o.port = 0;
    o.threads = 2;
    o.session.vardiff.initial = 1e-7;
    options = o;
    sink = std::make_unique<RecordingSink>(sink_delay);
    server = std::make_unique<StratumServer>(o, host.registry, bitcoin::Network::kRegtest, *sink,
                                             [this](const mining::JobPtr&, const mining::Solution&, const AcceptedShare&) {
                                               ++blocks;
                                             });
    server->start();
  }
  void TearDown() override {
    if (server) server->stop();
  }
  LineClient connect() { return LineClient(options.host == "::" ? "::1" : "127.0.0.1", server->port()); }
  static rapidjson::Document next(LineClient& c) {
    const auto line = c.read_line();
    if (!line) throw std::runtime_error("no line from the server");
    return util::parse_json(*line);
  }
  // Reads lines until a mining.notify, tracking set_difficulty.
  static void read_until_notify(LineClient& c, Login& login) {
    while (true) {
      auto m = next(c);
      if (!m.HasMember("method")) continue;
      const std::string method = m["method"].GetString();
      if (method == "mining.set_difficulty") login.difficulty = m["params"][0].GetDouble();
      if (method == "mining.notify") {
        login.job = minerlib::parse_notify(m["params"]);
        return;
      }
    }
  }
  Login login(LineClient& c) {
    Login l;
    c.send(R"({"id":1,"method":"mining.subscribe","params":["test/1"]})" "\n");
    auto sub = next(c);
    l.extranonce1 = bitcoin::from_hex(sub["result"][1].GetString());
    l.extranonce2_size = sub["result"][2].GetUint();
    c.send(R"({"id":2,"method":"mining.authorize","params":[")" + kWorker + R"(","x"]})" "\n");
    EXPECT_TRUE(next(c)["result"].GetBool());
    read_until_notify(c, l);
    return l;
  }
  // Finds a nonce meeting (or, with miss, failing) the login's difficulty.
  static std::string share(const Login& l, uint32_t en2_value, const std::string& id = "4", bool miss = false) {
    bitcoin::Bytes en2(l.extranonce2_size, 0);
    bitcoin::write_be32(en2.data() + en2.size() - 4, en2_value);
    auto header = minerlib::build_header(l.job, l.extranonce1, en2, l.job.ntime, 0, l.job.version);
    const auto target = bitcoin::target_from_difficulty(l.difficulty);
    uint32_t nonce = 0;
    for (;; ++nonce) {
      bitcoin::write_le32(header.data() + 76, nonce);
      const bool meets = bitcoin::hash_meets_target(bitcoin::sha256d(header), target);
      if (meets != miss) break;
    }
    return minerlib::submit_line(id, kWorker, l.job, en2, l.job.ntime, nonce, 0);
  }
  static int error_code(const rapidjson::Document& d) { return d["error"].IsArray() ? d["error"][0].GetInt() : 0; }

  test::FakeHost host;
  ServerOptions options;
  std::unique_ptr<RecordingSink> sink;
  std::unique_ptr<StratumServer> server;
  std::atomic<int> blocks{0};
};

TEST_F(ServerTest, BitaxePipelinedOpeningIsAnsweredInOrder) {
  start();
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]})" "\n"
         R"({"id":2,"method":"mining.subscribe","params":["bitaxe/BM1366/v2.4.0"]})" "\n"
         R"({"id":3,"method":"mining.authorize","params":[")" + kWorker + R"(","x"]})" "\n"
         R"({"id":4,"method":"mining.suggest_difficulty","params":[1e-7]})" "\n");
  EXPECT_EQ(next(c)["id"].GetInt(), 1);
  auto sub = next(c);
  EXPECT_EQ(sub["id"].GetInt(), 2);  // the subscribe reply is the very next line
  EXPECT_TRUE(sub["result"].IsArray());
  auto auth = next(c);
  EXPECT_EQ(auth["id"].GetInt(), 3);
  auto diff = next(c);
  EXPECT_STREQ(diff["method"].GetString(), "mining.set_difficulty");  // before the notify
  EXPECT_STREQ(next(c)["method"].GetString(), "mining.notify");
  EXPECT_EQ(next(c)["id"].GetInt(), 4);
}

TEST_F(ServerTest, SharesAcceptedRejectedAndRecorded) {
  start();
  LineClient c = connect();
  const Login l = login(c);
  const std::string good = share(l, 1, "\"s1\"");
  c.send(good);
  auto r = next(c);
  EXPECT_EQ(r["id"], "s1");
  EXPECT_TRUE(r["result"].GetBool());
  c.send(good);
  EXPECT_EQ(error_code(next(c)), kDuplicate);
  c.send(share(l, 2, "5", true));
  EXPECT_EQ(error_code(next(c)), kLowDifficulty);
  ASSERT_EQ(sink->count(), 1u);
  EXPECT_EQ(sink->shares[0].worker, kWorker);
  EXPECT_DOUBLE_EQ(sink->shares[0].difficulty, 1e-7);
  EXPECT_EQ(sink->shares[0].remote, "127.0.0.1");
  const auto stats = server->stats().snapshot(std::chrono::system_clock::now());
  EXPECT_EQ(stats.accepted, 1u);
  EXPECT_EQ(stats.rejects_by_reason.at("duplicate"), 1u);
  EXPECT_EQ(stats.rejects_by_reason.at("low-difficulty"), 1u);
  ASSERT_EQ(stats.workers.size(), 1u);
  EXPECT_GT(stats.workers[0].hashrate, 0);
}

TEST_F(ServerTest, ShareReplyWaitsForDurabilityAndKeepsOrder) {
  start({}, std::chrono::milliseconds(50));
  LineClient c = connect();
  const Login l = login(c);
  c.send(share(l, 1, "10") + R"({"id":11,"method":"mining.ping"})" "\n");
  auto first = next(c);
  EXPECT_EQ(first["id"].GetInt(), 10);  // the ping's reply may not overtake the share's
  EXPECT_TRUE(first["result"].GetBool());
  EXPECT_EQ(next(c)["id"].GetInt(), 11);
}

TEST_F(ServerTest, StaleAfterNewBlockAndNotSubscribedAndUnauthorized) {
  start();
  LineClient c = connect();
  Login l = login(c);
  const std::string old_share = share(l, 1);
  server->broadcast(host.add_job(true));
  Login fresh = l;
  read_until_notify(c, fresh);
  EXPECT_TRUE(fresh.job.clean);
  c.send(old_share);
  EXPECT_EQ(error_code(next(c)), kJobNotFound);

  LineClient d = connect();
  d.send(share(fresh, 1));
  EXPECT_EQ(error_code(next(d)), kNotSubscribed);
  d.send(R"({"id":1,"method":"mining.subscribe","params":[]})" "\n");
  next(d);
  d.send(share(fresh, 2));
  EXPECT_EQ(error_code(next(d)), kUnauthorized);
}

TEST_F(ServerTest, UnknownMethodAndBadJsonKeepTheConnection) {
  start();
  LineClient c = connect();
  c.send(R"({"id":"x","method":"mining.frobnicate","params":[]})" "\n");
  auto r = next(c);
  EXPECT_EQ(error_code(r), kOther);
  EXPECT_EQ(r["id"], "x");
  c.send("{this is not json\n");
  EXPECT_TRUE(next(c)["id"].IsNull());
  EXPECT_EQ(server->stats().snapshot(std::chrono::system_clock::now()).invalid_messages, 1u);
  c.send(R"({"id":7,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(c)["id"].GetInt(), 7);
}

TEST_F(ServerTest, HugeLineClosesOnlyThatConnection) {
  start();
  LineClient bystander = connect();
  login(bystander);
  LineClient c = connect();
  c.send("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"" + std::string(20000, 'a') + "\"]}\n");
  EXPECT_TRUE(c.closed_by_peer());
  bystander.send(R"({"id":9,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(bystander)["id"].GetInt(), 9);
}

TEST_F(ServerTest, TlsClientHelloAndBinaryJunkAreClosed) {
  start();
  LineClient tls = connect();
  tls.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  EXPECT_TRUE(tls.closed_by_peer());
  LineClient junk = connect();
  junk.send(std::string("\x00\xff\xfe garbage\n", 11));
  EXPECT_TRUE(junk.closed_by_peer());
  LineClient ok = connect();
  ok.send(R"({"id":1,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(ok)["id"].GetInt(), 1);
}

TEST_F(ServerTest, ReconnectingMinerResumesItsSession) {
  start();
  std::string en1;
  {
    LineClient c = connect();
    c.send(R"({"id":1,"method":"mining.subscribe","params":["cpuminer/2.5"]})" "\n");
    en1 = next(c)["result"][1].GetString();
  }
  // The old connection's extranonce is released once the server has seen the close.
  ASSERT_TRUE(eventually([&] { return server->stats().connections() == 0; }));
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.subscribe","params":["cpuminer/2.5",")" + en1 + R"("]})" "\n");
  EXPECT_EQ(next(c)["result"][1].GetString(), en1);
  // A session id that is in use is not handed out twice.
  LineClient d = connect();
  d.send(R"({"id":1,"method":"mining.subscribe","params":["cpuminer/2.5",")" + en1 + R"("]})" "\n");
  EXPECT_NE(next(d)["result"][1].GetString(), en1);
}

TEST_F(ServerTest, ConnectionLimitsAnswer503) {
  ServerOptions o;
  o.max_connections = 2;
  start(o);
  LineClient a = connect(), b = connect();
  a.send(R"({"id":1,"method":"mining.ping"})" "\n");
  next(a);
  b.send(R"({"id":1,"method":"mining.ping"})" "\n");
  next(b);
  LineClient c = connect();
  const auto line = c.read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, R"({"id":null,"error":[503,"Too many connections",null]})");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, PerIpLimit) {
  ServerOptions o;
  o.max_connections_per_ip = 1;
  start(o);
  LineClient a = connect();
  a.send(R"({"id":1,"method":"mining.ping"})" "\n");
  next(a);
  LineClient b = connect();
  const auto line = b.read_line();
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("503"), std::string::npos);
}

TEST_F(ServerTest, DefaultPerIpLimitIsNonZeroAndEnforced) {
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

TEST_F(ServerTest, PingFloodWithoutReadingIsBoundedWhileOthersAreServed) {
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

TEST_F(ServerTest, GetTransactionsFloodIsRefusedCheaplyAndBounded) {
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

TEST_F(ServerTest, HandshakeMustCompleteInTime) {
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

TEST_F(ServerTest, DrippingBytesDoNotHoldASlot) {
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

TEST_F(ServerTest, BanListIsBounded) {
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

TEST_F(ServerTest, AcceptBacksOffWhenOutOfDescriptors) {
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

TEST_F(ServerTest, IdleConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout_seconds = 0.3;
  start(o);
  LineClient c = connect();
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(5)));
}

TEST_F(ServerTest, AbusiveMinerIsDisconnectedAndBackedOff) {
  ServerOptions o;
  o.ban_seconds = 60;
  start(o);
  LineClient c = connect();
  const Login l = login(c);
  std::string burst;
  for (uint32_t i = 0; i < 25; ++i) burst += share(l, i, std::to_string(i), true);
  c.send(burst);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(server->banned_ips(), 1u);
  const auto stats = server->stats().snapshot(std::chrono::system_clock::now());
  EXPECT_EQ(stats.abuse_disconnects, 1u);
  EXPECT_EQ(stats.bans, 1u);
  LineClient again = connect();
  EXPECT_TRUE(again.closed_by_peer());
}

TEST_F(ServerTest, BroadcastReachesEverySession) {
  start();
  std::vector<LineClient> miners;
  std::vector<Login> logins;
  for (int i = 0; i < 40; ++i) {
    miners.push_back(connect());
    logins.push_back(login(miners.back()));
  }
  const auto job = host.add_job(true);
  server->broadcast(job);
  for (size_t i = 0; i < miners.size(); ++i) {
    read_until_notify(miners[i], logins[i]);
    EXPECT_EQ(logins[i].job.job_id, job->id);
  }
}

TEST_F(ServerTest, ShowMessageAndGracefulStopWithReconnect) {
  ServerOptions o;
  o.reconnect_host = "pool.example";
  o.reconnect_port = 3334;
  start(o);
  LineClient c = connect();
  login(c);
  server->show_message("maintenance at 12:00");
  auto m = next(c);
  EXPECT_STREQ(m["method"].GetString(), "client.show_message");
  const auto started = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  auto r = next(c);
  EXPECT_STREQ(r["method"].GetString(), "client.reconnect");
  EXPECT_STREQ(r["params"][0].GetString(), "pool.example");
  EXPECT_EQ(r["params"][1].GetInt(), 3334);
  EXPECT_TRUE(c.closed_by_peer());
  server.reset();
}

TEST_F(ServerTest, VersionMaskAndExtranonceChangesReachMiners) {
  start();
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.configure","params":[["version-rolling","subscribe-extranonce"],{"version-rolling.mask":"ffffffff"}]})" "\n");
  next(c);
  Login l = login(c);
  server->set_version_mask(0x0000e000);
  auto m = next(c);
  EXPECT_STREQ(m["method"].GetString(), "mining.set_version_mask");
  EXPECT_STREQ(m["params"][0].GetString(), "0000e000");
  server->rotate_extranonces();
  m = next(c);
  EXPECT_STREQ(m["method"].GetString(), "mining.set_extranonce");
  EXPECT_NE(bitcoin::from_hex(m["params"][0].GetString()), l.extranonce1);
  l.extranonce1 = bitcoin::from_hex(m["params"][0].GetString());
  read_until_notify(c, l);
  c.send(share(l, 1));
  EXPECT_TRUE(next(c)["result"].GetBool());  // shares on the new extranonce are accepted
}

TEST_F(ServerTest, ListensOnIpv6) {
  ServerOptions o;
  o.host = "::";
  try {
    start(o);
  } catch (const std::runtime_error& e) {
    GTEST_SKIP() << "SKIP: no IPv6 on this machine: " << e.what();
  }
  LineClient v6("::1", server->port());
  v6.send(R"({"id":1,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(v6)["id"].GetInt(), 1);
  LineClient v4("127.0.0.1", server->port());  // dual-stack
  v4.send(R"({"id":2,"method":"mining.ping"})" "\n");
  EXPECT_EQ(next(v4)["id"].GetInt(), 2);
}

}  // namespace
}  // namespace pool::stratum
