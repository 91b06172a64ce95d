#pragma once
#include <atomic>
// The Stratum server fixture for tests over real loopback sockets: a server on a free port, a
// recording share sink, and helpers to log in, read until work and solve shares.
#include <gtest/gtest.h>

#include <thread>

#include "bitcoin/sha256.h"
#include "stratum/fake_host.h"
#include "stratum/server.h"
#include "support/eventually.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::stratum::test_support {

using minerlib::LineClient;
inline const std::string kWorker = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.rig";

/// Records shares; with a delay, acknowledges them later from another thread.
class RecordingSink : public ShareSink {
 public:
  explicit RecordingSink(std::chrono::milliseconds delay = std::chrono::milliseconds(0)) : delay_(delay) {}
  ~RecordingSink() override { flush(); }
  void record(const AcceptedShare& share, std::function<void(RecordOutcome)> done) override {
    {
      std::lock_guard lock(mutex_);
      shares.push_back(share);
    }
    if (delay_.count() == 0) return done(outcome);
    threads_.emplace_back([d = delay_, done, answer = outcome.load()] {
      std::this_thread::sleep_for(d);  // stands in for a database commit, not for synchronization
      done(answer);
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
  std::atomic<RecordOutcome> outcome{RecordOutcome::kRecorded};  // what the "database" answers
  std::vector<AcceptedShare> shares;

 private:
  std::chrono::milliseconds delay_;
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

using test::eventually;

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
  // Subscribes (asking to resume `resume` when given) and authorizes as `worker`.
  Login login(LineClient& c, const std::string& resume = "", const std::string& worker = kWorker) {
    Login l;
    c.send(R"({"id":1,"method":"mining.subscribe","params":["test/1")" +
           (resume.empty() ? std::string() : ",\"" + resume + "\"") + "]}\n");
    auto sub = next(c);
    l.extranonce1 = bitcoin::from_hex(sub["result"][1].GetString());
    l.extranonce2_size = sub["result"][2].GetUint();
    c.send(R"({"id":2,"method":"mining.authorize","params":[")" + worker + R"(","x"]})" "\n");
    EXPECT_TRUE(next(c)["result"].GetBool());
    read_until_notify(c, l);
    return l;
  }
  // Finds a nonce meeting (or, with miss, failing) the login's difficulty.
  static std::string share(const Login& l, uint32_t en2_value, const std::string& id = "4", bool miss = false,
                           const std::string& worker = kWorker) {
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
    return minerlib::submit_line(id, worker, l.job, en2, l.job.ntime, nonce, 0);
  }
  static int error_code(const rapidjson::Document& d) { return d["error"].IsArray() ? d["error"][0].GetInt() : 0; }

  test::FakeHost host;
  ServerOptions options;
  std::unique_ptr<RecordingSink> sink;
  std::unique_ptr<StratumServer> server;
  std::atomic<int> blocks{0};
};

}  // namespace pool::stratum::test_support
