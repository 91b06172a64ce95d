// Several pool instances, one PostgreSQL database: both record shares into the same PPLNS
// window; exactly one runs maturity and payouts; the other takes over when it stops.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "app/pool_app.h"
#include "bitcoin/sha256.h"
#include "store/store.h"
#include "support/eventually.h"
#include "support/ledger_check.h"
#include "support/test_databases.h"
#include "testnode/test_node.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::app {
namespace {

using test::eventually;

// Submits `count` shares as `worker` and returns how many were accepted.
int submit_shares(uint16_t port, const std::string& worker, int count) {
  minerlib::LineClient c("127.0.0.1", port);
  c.send(R"({"id":1,"method":"mining.subscribe","params":[]})" "\n"
         R"({"id":2,"method":"mining.authorize","params":[")" + worker + R"(","x"]})" "\n");
  bitcoin::Bytes en1;
  std::optional<minerlib::MinerJob> job;
  while (!job) {
    auto d = util::parse_json(*c.read_line());
    if (d.HasMember("id") && d["id"].IsInt() && d["id"].GetInt() == 1) en1 = bitcoin::from_hex(d["result"][1].GetString());
    if (d.HasMember("method") && std::string(d["method"].GetString()) == "mining.notify") job = minerlib::parse_notify(d["params"]);
  }
  int accepted = 0;
  for (int i = 0; i < count; ++i) {
    bitcoin::Bytes en2(8, 0);
    bitcoin::write_be32(en2.data() + 4, static_cast<uint32_t>(i));
    const auto header = minerlib::build_header(*job, en1, en2, job->ntime, 0, job->version);
    const auto nonce = minerlib::scan_nonces(header, bitcoin::target_from_difficulty(1e-9), 0, 1u << 20);
    c.send(minerlib::submit_line(std::to_string(100 + i), worker, *job, en2, job->ntime, *nonce, 0));
    while (true) {
      const std::string line = *c.read_line();
      if (line.find("\"id\":" + std::to_string(100 + i)) == std::string::npos) continue;
      if (line.find("\"result\":true") != std::string::npos) ++accepted;
      break;
    }
  }
  return accepted;
}

// One of the instances: the test node, the shared PostgreSQL database, a fixed share difficulty,
// any free Stratum and API ports.
Config instance_config(uint16_t node_port, const std::string& db_url, const std::string& difficulty) {
  Config c = load_config_text("[bitcoin]\nuser = pool\npassword = pool\nport = " + std::to_string(node_port) +
                                  "\n[stratum]\nhost = 127.0.0.1\ndifficulty = " + difficulty +
                                  "\nmin_difficulty = " + difficulty + "\nmax_difficulty = " + difficulty +
                                  "\n[pool]\naddress = bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d\n"
                                  "[database]\ndb_path = " + db_url + "\n",
                              "two.ini");
  c.stratum.port = 0;
  c.api.port = 0;
  return c;
}

TEST(TwoInstances, ShareOneDatabaseAndOneLeader) {
  auto db = test::database_for_test("postgresql");
  if (!db) return;
  testnode::TestNodeOptions node_options;
  node_options.bits = 0x1d00ffff;
  testnode::TestNode node(node_options);
  node.start();
  auto config = [&] { return instance_config(node.port(), db->url(), "1e-9"); };
  std::atomic<bool> stop{false};
  auto first = std::make_unique<PoolApp>(config());
  auto second = std::make_unique<PoolApp>(config());
  ASSERT_TRUE(first->start(stop));
  ASSERT_TRUE(second->start(stop));
  ASSERT_TRUE(eventually([&] { return first->is_accounting_leader() || second->is_accounting_leader(); }));
  EXPECT_NE(first->is_accounting_leader(), second->is_accounting_leader());  // exactly one

  const int a = submit_shares(first->stratum_port(), "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.one", 20);
  const int b = submit_shares(second->stratum_port(), "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz.two", 20);
  EXPECT_EQ(a, 20);
  EXPECT_EQ(b, 20);
  auto store = store::open_store(db->url());
  EXPECT_EQ(store->count_shares(), 40u);
  const auto window = store::pplns_window(*store, store::now_ms(), 1e9);
  std::set<std::string> addresses;
  for (const auto& s : window) addresses.insert(s.address);
  EXPECT_EQ(addresses.size(), 2u);  // one window holds both instances' miners

  // The leader stops; the other instance takes over.
  PoolApp* leader = first->is_accounting_leader() ? first.get() : second.get();
  PoolApp* follower = leader == first.get() ? second.get() : first.get();
  leader->stop();
  if (leader == first.get()) first.reset(); else second.reset();
  EXPECT_TRUE(eventually([&] { return follower->is_accounting_leader(); }));
  follower->stop();
  // The books after the handover: nothing credited twice, no balance off its changes.
  node::RpcOptions rpc_options;
  rpc_options.port = node.port();
  rpc_options.user = rpc_options.password = "pool";
  node::RpcClient rpc(rpc_options);
  node::BitcoinNode wallet(rpc);
  test::expect_ledger_balances(*store, wallet, "bitcoin-mining-pool payout ");
  node.stop();
}

// A Stratum login on one instance: its extranonce1 and first job.
struct Miner {
  explicit Miner(uint16_t port, const std::string& resume = "") : c("127.0.0.1", port) {
    c.send(R"({"id":1,"method":"mining.subscribe","params":["m/1",")" + resume + "\"]}\n" +
           R"({"id":2,"method":"mining.authorize","params":["bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.rig","x"]})" "\n");
    while (!job) {
      auto d = util::parse_json(*c.read_line());
      if (d.HasMember("id") && d["id"].IsInt() && d["id"].GetInt() == 1) en1 = d["result"][1].GetString();
      if (d.HasMember("method") && std::string(d["method"].GetString()) == "mining.notify") job = minerlib::parse_notify(d["params"]);
    }
  }
  // The reply to a submit line with id 7.
  std::string submit(const std::string& line) {
    c.send(line);
    while (true) {
      const std::string reply = *c.read_line();
      if (reply.find("\"id\":7") != std::string::npos) return reply;
    }
  }
  minerlib::LineClient c;
  std::string en1;
  std::optional<minerlib::MinerJob> job;
};

TEST(TwoInstances, HandOutDisjointExtranoncesAndAShareReplayedOnTheOtherIsNotStoredTwice) {
  auto db = test::database_for_test("postgresql");
  if (!db) return;
  testnode::TestNodeOptions node_options;
  node_options.bits = 0x1d00ffff;
  testnode::TestNode node(node_options);
  node.start();
  // Difficulty 1e-5: a share only counts for the header it was solved for.
  auto config = [&] { return instance_config(node.port(), db->url(), "1e-5"); };
  std::atomic<bool> stop{false};
  PoolApp first(config()), second(config());
  ASSERT_TRUE(first.start(stop));
  ASSERT_TRUE(second.start(stop));

  Miner a(first.stratum_port());
  Miner b(second.stratum_port(), a.en1);  // asks the other instance for a's extranonce1
  EXPECT_NE(b.en1, a.en1);
  EXPECT_NE(b.en1.substr(0, 2), a.en1.substr(0, 2));  // each instance hands out its own prefix
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Miner(first.stratum_port()).en1.substr(0, 2), a.en1.substr(0, 2));
    EXPECT_EQ(Miner(second.stratum_port()).en1.substr(0, 2), b.en1.substr(0, 2));
  }

  bitcoin::Bytes en2(8, 0);
  en2[7] = 5;
  const auto header = minerlib::build_header(*a.job, bitcoin::from_hex(a.en1), en2, a.job->ntime, 0, a.job->version);
  const auto nonce = minerlib::scan_nonces(header, bitcoin::target_from_difficulty(1e-5), 0, 1u << 24);
  ASSERT_TRUE(nonce);
  const std::string line =
      minerlib::submit_line("7", "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.rig", *a.job, en2, a.job->ntime, *nonce, 0);
  EXPECT_NE(a.submit(line).find("\"result\":true"), std::string::npos);
  EXPECT_EQ(b.submit(line).find("\"result\":true"), std::string::npos);  // replayed on the other instance
  auto store = store::open_store(db->url());
  EXPECT_EQ(store->count_shares(), 1u);
  first.stop();
  second.stop();
  node.stop();
}

}  // namespace
}  // namespace pool::app
