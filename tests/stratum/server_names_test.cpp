// Worker names over real sockets: the per-address limit spans connections and a closed
// connection gives its names back; the closing log line shows the miner's user agent escaped.
#include <gtest/gtest.h>

#include "stratum/fake_host.h"
#include "stratum/log_capture.h"
#include "stratum/server.h"
#include "support/eventually.h"
#include "tools/minerlib/line_client.h"
#include "util/json.h"

namespace pool::stratum {
namespace {

using minerlib::LineClient;
const std::string kAddress = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";

class NullSink : public ShareSink {
 public:
  void record(const AcceptedShare&, std::function<void()> done) override { done(); }
  void flush() override {}
};

class ServerNamesTest : public ::testing::Test {
 protected:
  void start(ServerOptions o) {
    host.add_job();
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.session.vardiff.initial = 1e-7;
    server = std::make_unique<StratumServer>(o, host.registry, bitcoin::Network::kRegtest, sink, nullptr);
    server->start();
  }
  void TearDown() override {
    if (server) server->stop();
  }
  LineClient connect() { return LineClient("127.0.0.1", server->port()); }
  // Sends mining.authorize with id `id`; returns its result (skipping other lines).
  static bool authorize(LineClient& c, int id, const std::string& username) {
    c.send(R"({"id":)" + std::to_string(id) + R"(,"method":"mining.authorize","params":[)" + util::quote(username) +
           R"(,"x"]})" "\n");
    while (true) {
      const auto line = c.read_line();
      if (!line) throw std::runtime_error("no reply to mining.authorize");
      auto doc = util::parse_json(*line);
      if (doc.HasMember("id") && doc["id"].IsInt() && doc["id"].GetInt() == id) {
        return doc["result"].IsBool() && doc["result"].GetBool();
      }
    }
  }

  test::FakeHost host;
  NullSink sink;
  std::unique_ptr<StratumServer> server;
};

TEST_F(ServerNamesTest, PerAddressLimitSpansConnectionsAndClosingFreesNames) {
  ServerOptions o;
  EXPECT_EQ(o.max_workers_per_address, 1024u);
  o.max_workers_per_address = 2;
  start(o);
  auto first = std::make_unique<LineClient>(connect());
  LineClient second = connect();
  EXPECT_TRUE(authorize(*first, 1, kAddress + ".a"));
  EXPECT_TRUE(authorize(*first, 2, kAddress + ".b"));
  EXPECT_TRUE(authorize(second, 3, kAddress + ".a"));
  EXPECT_FALSE(authorize(second, 4, kAddress + ".c"));
  first.reset();  // the first miner goes away: ".b" is free again
  int id = 5;
  EXPECT_TRUE(test::eventually([&] { return authorize(second, id++, kAddress + ".c"); }));
}

TEST_F(ServerNamesTest, ClosingLineShowsTheUserAgentEscaped) {
  test::LogCapture capture;
  start(ServerOptions{});
  LineClient c = connect();
  c.send(R"({"id":1,"method":"mining.subscribe","params":["evil\n[warn] forged\u001b[2J"]})" "\n");
  std::string junk;
  for (int i = 0; i < 12; ++i) junk += "{not json\n";
  c.send(junk);
  EXPECT_TRUE(c.closed_by_peer());
  server->stop();  // no more log lines while the capture is read
  bool seen = false;
  for (const auto& line : capture.lines()) {
    EXPECT_TRUE(test::LogCapture::is_record(line)) << "a line not started by the logger: " << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    if (line.find("closing") != std::string::npos) {
      EXPECT_NE(line.find("(evil\\n[warn] forged\\x1b[2J)"), std::string::npos) << line;
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace pool::stratum
