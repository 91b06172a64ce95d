// "A share the pool answered true to is a share recorded": a miner counts its accepted shares,
// the real poold process is SIGKILLed mid-stream, and the database holds every one of them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "bitcoin/sha256.h"
#include "store/store.h"
#include "support/poold_process.h"
#include "support/test_databases.h"
#include "testnode/test_node.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::app {
namespace {

using test::free_port;

std::pair<pid_t, std::unique_ptr<minerlib::LineClient>> start_poold(const std::string& config_path, uint16_t port) {
  return test::start_poold(POOLD_PATH, config_path, port);
}

TEST(Durability, EveryAcceptedShareSurvivesKill9) {
  testnode::TestNodeOptions node_options;
  node_options.bits = 0x1d00ffff;  // shares are never blocks
  testnode::TestNode node(node_options);
  node.start();
  auto db = test::make_sqlite_database();
  const uint16_t port = free_port();
  const auto config_path = std::filesystem::temp_directory_path() / ("pool-durability-" + std::to_string(::getpid()) + ".ini");
  std::ofstream(config_path) << "[bitcoin]\nuser = pool\npassword = pool\nport = " << node.port()
                             << "\n[stratum]\nhost = 127.0.0.1\nport = " << port
                             << "\ndifficulty = 1e-9\nmin_difficulty = 1e-9\nmax_difficulty = 1e-9\n"
                                "[pool]\naddress = bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d\n[api]\nport = " << free_port() << "\n[database]\ndb_path = "
                             << db->url() << "\n[log]\nlevel = warn\n";
  auto [pid, c] = start_poold(config_path.string(), port);
  ASSERT_TRUE(c) << "poold did not start listening";
  const std::string worker = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.durable";
  c->send(R"({"id":1,"method":"mining.subscribe","params":[]})" "\n"
          R"({"id":2,"method":"mining.authorize","params":[")" + worker + R"(","x"]})" "\n");
  bitcoin::Bytes en1;
  std::optional<minerlib::MinerJob> job;
  while (!job) {
    auto d = util::parse_json(*c->read_line());
    if (d.HasMember("id") && d["id"].IsInt() && d["id"].GetInt() == 1) en1 = bitcoin::from_hex(d["result"][1].GetString());
    if (d.HasMember("method") && std::string(d["method"].GetString()) == "mining.notify") job = minerlib::parse_notify(d["params"]);
  }
  const auto target = bitcoin::target_from_difficulty(1e-9);
  std::string burst;
  for (uint32_t i = 0; i < 3000; ++i) {
    bitcoin::Bytes en2(8, 0);
    bitcoin::write_be32(en2.data() + 4, i);
    const auto header = minerlib::build_header(*job, en1, en2, job->ntime, 0, job->version);
    const auto nonce = minerlib::scan_nonces(header, target, 0, 1u << 20);
    burst += minerlib::submit_line(std::to_string(100 + i), worker, *job, en2, job->ntime, *nonce, 0);
  }
  c->send(burst);
  // Read replies until a good number are in, then kill the pool while the rest are in flight.
  int accepted = 0;
  while (accepted < 1000) {
    auto line = c->read_line();
    ASSERT_TRUE(line);
    if (line->find("\"result\":true") != std::string::npos) ++accepted;
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  try {
    while (auto line = c->read_line(std::chrono::milliseconds(500))) {
      if (line->find("\"result\":true") != std::string::npos) ++accepted;
    }
  } catch (const std::runtime_error&) {
    // the connection died with the pool
  }
  auto store = store::open_store(db->url());
  EXPECT_GE(store->count_shares(), static_cast<uint64_t>(accepted));
  EXPECT_LT(accepted, 3000) << "the kill came too late to prove anything";
  std::filesystem::remove(config_path);
  node.stop();
}

// SIGTERM: stop accepting, flush recorded shares, tell miners to reconnect, exit 0 within 5 s.
TEST(GracefulShutdown, SigtermExitsCleanlyAndTellsMinersToReconnect) {
  testnode::TestNode node(testnode::TestNodeOptions{});
  node.start();
  auto db = test::make_sqlite_database();
  const uint16_t port = free_port();
  const auto config_path = std::filesystem::temp_directory_path() / ("pool-sigterm-" + std::to_string(::getpid()) + ".ini");
  std::ofstream(config_path) << "[bitcoin]\nuser = pool\npassword = pool\nport = " << node.port()
                             << "\n[stratum]\nhost = 127.0.0.1\nport = " << port
                             << "\nreconnect_host = backup.pool.example\n[pool]\naddress = "
                                "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d\n[api]\nport = " << free_port() << "\n[database]\ndb_path = "
                             << db->url() << "\n[log]\nlevel = warn\n";
  auto [pid, c] = start_poold(config_path.string(), port);
  ASSERT_TRUE(c) << "poold did not start listening";
  c->send(R"({"id":1,"method":"mining.subscribe","params":["t"]})" "\n");
  ASSERT_TRUE(c->read_line());
  const auto started = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  bool reconnect = false;
  try {
    while (auto line = c->read_line(std::chrono::milliseconds(500))) {
      reconnect = reconnect || line->find("client.reconnect") != std::string::npos;
    }
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(reconnect);
  std::filesystem::remove(config_path);
  node.stop();
}

}  // namespace
}  // namespace pool::app
