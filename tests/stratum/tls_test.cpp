// The TLS listener with a real TLS client (Asio's ssl::stream) and a self-signed certificate
// made for the test: the whole miner conversation over stratum+ssl, and plain text on the TLS
// port closed without harm.
#include "bitcoin/sha256.h"  // first: it allows OpenSSL's deprecated SHA-256 calls it uses

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <filesystem>

#include "stratum/fake_host.h"
#include "stratum/server.h"
#include "support/eventually.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::stratum {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
const std::string kWorker = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.rig";

class ImmediateSink : public ShareSink {
 public:
  void record(const AcceptedShare&, std::function<void(RecordOutcome)> done) override {
    ++recorded;
    done(RecordOutcome::kRecorded);
  }
  void flush() override {}
  std::atomic<int> recorded{0};
};

/// A blocking TLS line client.
class TlsClient {
 public:
  explicit TlsClient(uint16_t port) : ctx_(asio::ssl::context::tls_client), stream_(ioc_, ctx_) {
    ctx_.set_verify_mode(asio::ssl::verify_none);  // the test's own self-signed certificate
    stream_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream_.handshake(asio::ssl::stream_base::client);
  }
  void send(const std::string& line) { asio::write(stream_, asio::buffer(line)); }
  rapidjson::Document next() {
    const size_t n = asio::read_until(stream_, buffer_, '\n');
    std::string line(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + static_cast<std::ptrdiff_t>(n) - 1);
    buffer_.consume(n);
    return util::parse_json(line);
  }

 private:
  asio::io_context ioc_;
  asio::ssl::context ctx_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::streambuf buffer_;
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("pool-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout '" +
                            (dir_ / "key.pem").string() + "' -out '" + (dir_ / "cert.pem").string() + "' 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "the openssl command is needed to make a test certificate";
    host.add_job();
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    o.tls_port = 0;
    o.tls_cert_file = (dir_ / "cert.pem").string();
    o.tls_key_file = (dir_ / "key.pem").string();
    o.handshake_timeout_seconds = 2;
    o.session.vardiff.initial = 1e-7;
    server = std::make_unique<StratumServer>(o, host.registry, bitcoin::Network::kRegtest, sink, nullptr);
    server->start();
  }
  void TearDown() override {
    if (server) server->stop();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  test::FakeHost host;
  ImmediateSink sink;
  std::unique_ptr<StratumServer> server;
};

TEST_F(TlsTest, MinerSubscribesAuthorizesAndSubmitsOverTls) {
  ASSERT_NE(server->tls_port(), 0);
  ASSERT_NE(server->tls_port(), server->port());
  TlsClient c(server->tls_port());
  c.send(R"({"id":1,"method":"mining.subscribe","params":["tls-miner/1"]})" "\n");
  auto sub = c.next();
  const auto extranonce1 = bitcoin::from_hex(sub["result"][1].GetString());
  const size_t en2_size = sub["result"][2].GetUint();
  c.send(R"({"id":2,"method":"mining.authorize","params":[")" + kWorker + R"(","x"]})" "\n");
  EXPECT_TRUE(c.next()["result"].GetBool());
  double difficulty = 0;
  minerlib::MinerJob job;
  while (true) {
    auto m = c.next();
    if (!m.HasMember("method")) continue;
    const std::string method = m["method"].GetString();
    if (method == "mining.set_difficulty") difficulty = m["params"][0].GetDouble();
    if (method == "mining.notify") {
      job = minerlib::parse_notify(m["params"]);
      break;
    }
  }
  bitcoin::Bytes en2(en2_size, 0);
  auto header = minerlib::build_header(job, extranonce1, en2, job.ntime, 0, job.version);
  const auto target = bitcoin::target_from_difficulty(difficulty);
  uint32_t nonce = 0;
  for (;; ++nonce) {
    bitcoin::write_le32(header.data() + 76, nonce);
    if (bitcoin::hash_meets_target(bitcoin::sha256d(header), target)) break;
  }
  c.send(minerlib::submit_line("9", kWorker, job, en2, job.ntime, nonce, 0));
  auto reply = c.next();
  EXPECT_EQ(reply["id"].GetInt(), 9);
  EXPECT_TRUE(reply["result"].GetBool());
  EXPECT_EQ(sink.recorded, 1);
}

TEST_F(TlsTest, PlainTextOnTheTlsPortIsClosedWithoutHarm) {
  minerlib::LineClient plain("127.0.0.1", server->tls_port());
  plain.send(R"({"id":1,"method":"mining.subscribe","params":[]})" "\n");
  EXPECT_TRUE(plain.closed_by_peer());
  // The server still serves TLS and plain miners.
  TlsClient c(server->tls_port());
  c.send(R"({"id":5,"method":"mining.ping"})" "\n");
  EXPECT_EQ(c.next()["id"].GetInt(), 5);
  minerlib::LineClient p("127.0.0.1", server->port());
  p.send(R"({"id":6,"method":"mining.ping"})" "\n");
  EXPECT_TRUE(p.read_line());
}

TEST_F(TlsTest, SilentTlsClientIsClosedAtTheHandshakeDeadline) {
  minerlib::LineClient silent("127.0.0.1", server->tls_port());  // never starts the TLS handshake
  ASSERT_TRUE(test::eventually([&] { return server->stats().connections() == 1; }));
  server->show_message("maintenance");  // waits for the handshake; nothing is written before it
  EXPECT_TRUE(silent.closed_by_peer(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace pool::stratum
