// SIGHUP re-reads the configuration without dropping miners: what can change is applied (an
// existing miner is moved to the new difficulty bounds), what cannot is named in one log line,
// and a broken file keeps the running configuration and says where it is broken.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/eventually.h"
#include "support/poold_process.h"
#include "support/test_databases.h"
#include "testnode/test_node.h"
#include "util/json.h"

namespace pool::app {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The next mining.set_difficulty the miner is sent (skipping everything else), or -1.
double next_difficulty(minerlib::LineClient& c) {
  while (auto line = c.read_line(std::chrono::seconds(10))) {
    const auto d = util::parse_json(*line);
    if (d.HasMember("method") && std::string(d["method"].GetString()) == "mining.set_difficulty") {
      return d["params"][0].GetDouble();
    }
  }
  return -1;
}

TEST(Reload, SighupAppliesWhatItCanKeepsMinersAndRefusesABrokenFile) {
  testnode::TestNode node(testnode::TestNodeOptions{});
  node.start();
  auto db = test::make_sqlite_database();
  const uint16_t port = test::free_port(), other_port = test::free_port(), api = test::free_port();
  const auto dir = std::filesystem::temp_directory_path();
  const auto config = dir / ("pool-reload-" + std::to_string(::getpid()) + ".ini");
  const auto log = dir / ("pool-reload-" + std::to_string(::getpid()) + ".log");
  auto write_config = [&](const std::string& stratum_extra, uint16_t stratum_port) {
    std::ofstream(config) << "[bitcoin]\nuser = pool\npassword = pool\nport = " << node.port()
                          << "\n[stratum]\nhost = 127.0.0.1\nport = " << stratum_port << "\n" << stratum_extra
                          << "[pool]\naddress = bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d\n[api]\nport = " << api
                          << "\n[database]\ndb_path = " << db->url() << "\n[log]\nlevel = info\n";
  };
  write_config("difficulty = 0.001\nmin_difficulty = 1e-9\n", port);
  auto [pid, c] = test::start_poold(POOLD_PATH, config.string(), port, log.string());
  ASSERT_TRUE(c) << read_file(log);
  c->send(R"({"id":1,"method":"mining.subscribe","params":["reload-test"]})" "\n"
          R"({"id":2,"method":"mining.authorize","params":["bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.r","x"]})" "\n");
  EXPECT_DOUBLE_EQ(next_difficulty(*c), 0.001);

  // Raise the floor above the miner's difficulty and move the port: the first applies at once
  // (the connected miner is moved up), the second needs a restart and is said to.
  write_config("difficulty = 0.002\nmin_difficulty = 0.002\n", other_port);
  ::kill(pid, SIGHUP);
  EXPECT_DOUBLE_EQ(next_difficulty(*c), 0.002);
  const std::string applied = "reload: applied [stratum] difficulty 0.001 -> 0.002, [stratum] min_difficulty 1e-9 -> 0.002; "
                              "needs a restart (still running the old value): [stratum] port " +
                              std::to_string(port) + " -> " + std::to_string(other_port);
  EXPECT_TRUE(test::eventually([&] { return read_file(log).find(applied) != std::string::npos; })) << read_file(log);

  // A broken file: the error names file, line and key; the pool keeps serving as it was.
  write_config("difficulty = fast\n", port);
  ::kill(pid, SIGHUP);
  const std::string refused = "reload: " + config.string() + ":8: [stratum] difficulty = 'fast' is not valid";
  EXPECT_TRUE(test::eventually([&] { return read_file(log).find(refused) != std::string::npos; })) << read_file(log);
  EXPECT_NE(read_file(log).find("(still running the previous configuration)"), std::string::npos);
  c->send(R"({"id":3,"method":"mining.ping","params":[]})" "\n");
  bool pong = false;
  while (auto line = c->read_line(std::chrono::seconds(10))) {
    if (line->find("\"id\":3") != std::string::npos) {
      pong = line->find("pong") != std::string::npos;
      break;
    }
  }
  EXPECT_TRUE(pong) << "the miner was dropped by the reload";

  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::filesystem::remove(config);
  std::filesystem::remove(log);
  node.stop();
}

}  // namespace
}  // namespace pool::app
