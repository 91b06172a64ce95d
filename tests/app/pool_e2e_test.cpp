// End to end: the test node, the whole pool (PoolApp, as poold runs it) and several simulated
// miners over real sockets. Miners find blocks; the node accepts them and they pay the pool.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "app/check_config.h"
#include "app/config.h"

#include <sstream>
#include "app/pool_app.h"
#include "bitcoin/address.h"
#include "bitcoin/sha256.h"
#include "bitcoin/target.h"
#include "store/store.h"
#include "support/eventually.h"
#include "support/test_databases.h"
#include "support/http_get.h"
#include "testnode/test_node.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::app {
namespace {

const char* kPoolAddress = "bcrt1q8lnxgu3mf5ragp236r4chefv4qcmcg7fgzumk7";

struct MinerResult {
  int accepted = 0, stale = 0, other = 0;
};

// A simple miner: subscribe, authorize, then solve and submit `shares` shares, following new
// work as it arrives.
MinerResult mine(uint16_t port, const std::string& worker, int shares) {
  MinerResult result;
  minerlib::LineClient c("127.0.0.1", port);
  c.send(R"({"id":1,"method":"mining.subscribe","params":["e2e-miner"]})" "\n"
         R"({"id":2,"method":"mining.authorize","params":[")" + worker + R"(","x"]})" "\n");
  bitcoin::Bytes en1;
  size_t en2_size = 8;
  double difficulty = 1;
  std::optional<minerlib::MinerJob> job;
  int sent = 0, answered = 0;
  uint32_t en2_counter = 0;
  auto handle = [&](const std::string& line) {
    auto d = util::parse_json(line);
    if (d.HasMember("method")) {
      const std::string m = d["method"].GetString();
      if (m == "mining.set_difficulty") difficulty = d["params"][0].GetDouble();
      if (m == "mining.notify") job = minerlib::parse_notify(d["params"]);
      return;
    }
    const int id = d["id"].GetInt();
    if (id == 1) {
      en1 = bitcoin::from_hex(d["result"][1].GetString());
      en2_size = d["result"][2].GetUint();
    } else if (id >= 100) {
      ++answered;
      if (d["result"].IsBool() && d["result"].GetBool()) {
        ++result.accepted;
      } else if (d["error"][0].GetInt() == 21) {
        ++result.stale;
      } else {
        ++result.other;
      }
    }
  };
  while (answered < shares) {
    // Drain whatever the pool sent; wait for work before the first share.
    while (auto line = c.read_line(std::chrono::milliseconds(job && sent == answered ? 1 : 2000))) handle(*line);
    if (!job || sent > answered || sent >= shares) continue;
    bitcoin::Bytes en2(en2_size, 0);
    bitcoin::write_be32(en2.data(), ++en2_counter);
    const auto header = minerlib::build_header(*job, en1, en2, job->ntime, 0, job->version);
    const auto nonce = minerlib::scan_nonces(header, bitcoin::target_from_difficulty(difficulty), 0, 1u << 24);
    if (!nonce) continue;
    c.send(minerlib::submit_line(std::to_string(100 + sent), worker, *job, en2, job->ntime, *nonce, 0));
    ++sent;
  }
  return result;
}

TEST(PoolEndToEnd, MinersFindBlocksThatTheNodeAccepts) {
  testnode::TestNodeOptions node_options;
  node_options.zmq_hashblock = "tcp://127.0.0.1:" + std::to_string(30000 + ::getpid() % 1000);
  testnode::TestNode node(node_options);
  node.start();
  const std::string config_text = "[BITCOIN]\nuser = pool\npassword = pool\nhost = 127.0.0.1\nport = " +
                                  std::to_string(node.port()) + "\nzmq_hashblock = " + node_options.zmq_hashblock +
                                  "\n[STRATUM]\nhost = 127.0.0.1\ndifficulty = 0.000001\n[POOL]\naddress = " +
                                  kPoolAddress + "\n[database]\ndb_path = sqlite:///" + (std::filesystem::temp_directory_path() / ("pool-e2e-" + std::to_string(::getpid()) + ".db")).string() + "\n";
  Config config = load_config_text(config_text, "e2e.ini");
  config.stratum.port = 0;
  config.api.port = 0;
  PoolApp app(config);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(app.start(stop));

  const std::vector<std::string> workers = {"bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.a",
                                            "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.b",
                                            "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz.c"};
  std::vector<MinerResult> results(workers.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = mine(app.stratum_port(), workers[i], 6); });
  }
  for (auto& t : threads) t.join();

  // The API sees what happened.
  app.sample_statistics();
  auto [status, body] = test::http_get(app.api_port(), "/api/pool");
  EXPECT_EQ(status, 200);
  auto pool = util::parse_json(body);
  EXPECT_GT(pool["hashrate"].GetDouble(), 0);
  EXPECT_EQ(pool["workers"].GetInt(), 3);
  EXPECT_EQ(pool["miners"].GetInt(), 2);
  EXPECT_GE(pool["blocks_found"].GetInt(), 1);
  EXPECT_STREQ(pool["payout_scheme"].GetString(), "pplns");
  EXPECT_STREQ(pool["network"]["chain"].GetString(), "regtest");
  std::tie(status, body) = test::http_get(app.api_port(), "/api/miners/bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d");
  EXPECT_EQ(status, 200);
  auto miner = util::parse_json(body);
  EXPECT_EQ(miner["workers"].Size(), 2u);
  EXPECT_GT(miner["hashrate"].GetDouble(), 0);
  EXPECT_EQ(miner["balance_sats"].GetInt64(), 0);  // nothing matured yet
  std::tie(status, body) = test::http_get(app.api_port(), "/api/miners/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  EXPECT_EQ(status, 400);  // a mainnet address on regtest
  EXPECT_NE(util::parse_json(body)["error"].GetString(), std::string());
  std::tie(status, body) = test::http_get(app.api_port(), "/api/nothing");
  EXPECT_EQ(status, 404);
  EXPECT_TRUE(util::parse_json(body).HasMember("error"));
  // Store data comes from a snapshot refreshed every 2 s (docs/api.md).
  EXPECT_TRUE(test::eventually([&] {
    std::tie(status, body) = test::http_get(app.api_port(), "/api/blocks");
    return status == 200 && util::parse_json(body).Size() >= 1u;
  })) << status << " " << body;
  std::tie(status, body) = test::http_get(app.api_port(), "/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_NE(body.find("pool_shares_total{result=\"accepted\"}"), std::string::npos);
  EXPECT_NE(body.find("pool_blocks{status=\"pending\"}"), std::string::npos);
  EXPECT_NE(body.find("pool_connections"), std::string::npos);
  // The leader audits the ledger at its first step; the books of a young pool balance.
  EXPECT_TRUE(test::eventually([&] { return test::http_get(app.api_port(), "/metrics").second.find("\npool_ledger_ok 1\n") != std::string::npos; }))
      << test::http_get(app.api_port(), "/metrics").second;
  std::tie(status, body) = test::http_get(app.api_port(), "/");
  EXPECT_EQ(status, 200);
  EXPECT_NE(body.find("<title>bitcoin-mining-pool</title>"), std::string::npos);
  app.stop();

  int accepted = 0;
  for (const auto& r : results) {
    EXPECT_GT(r.accepted, 0);
    EXPECT_EQ(r.other, 0);  // only stale rejects are expected, when another miner found a block
    accepted += r.accepted;
  }
  // At difficulty 1e-6 every share also meets regtest's network target: each accepted share is a
  // block submitted to the node. Miners racing on the same height give side blocks (the node
  // answers "inconclusive"); the active chain is built from the pool's blocks alone.
  int64_t height = 0;
  size_t stored = 0;
  bitcoin::Bytes pool_script = bitcoin::address_to_script(kPoolAddress, bitcoin::Network::kRegtest);
  node.service().with_chain([&](auto& chain, auto&, auto&) {
    height = chain.height();
    stored = chain.stored_blocks() - 1;  // without genesis
    for (int64_t h = 1; h <= chain.height(); ++h) {
      EXPECT_EQ(chain.find(*chain.hash_at(h))->block.transactions[0].outputs[0].script_pubkey, pool_script) << h;
    }
  });
  EXPECT_EQ(stored, static_cast<size_t>(accepted));
  EXPECT_GE(height, 1);
  EXPECT_LE(height, accepted);
  node.stop();
}

// --check-config tries the node, the wallet, the payout address and the database.
TEST(CheckConfig, ReportsWhatItFinds) {
  testnode::TestNode node(testnode::TestNodeOptions{});
  node.start();
  Config config = load_config_text("[bitcoin]\nuser = pool\npassword = pool\nport = " + std::to_string(node.port()) +
                                       "\n[pool]\naddress = bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\n"
                                       "[database]\ndb_path = sqlite:////nonexistent-pool-check.db\n",
                                   "check.ini");
  std::ostringstream out;
  EXPECT_FALSE(report_environment(config, out));  // a mainnet address on a regtest node
  EXPECT_NE(out.str().find("ok    node 127.0.0.1:" + std::to_string(node.port()) + " answers: chain regtest"),
            std::string::npos) << out.str();
  EXPECT_NE(out.str().find("FAIL  [pool] address"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("does not exist yet"), std::string::npos) << out.str();
  config.pool.address = kPoolAddress;
  std::ostringstream good;
  EXPECT_TRUE(report_environment(config, good)) << good.str();
  node.stop();
  config.bitcoin.port = node.port();
  std::ostringstream down;
  EXPECT_FALSE(report_environment(config, down));
  EXPECT_NE(down.str().find("FAIL  node"), std::string::npos) << down.str();
}

// Two pools on one SQLite file would both lead and both pay: the second refuses to start.
TEST(PoolEndToEnd, ASecondPoolOnOneSqliteFileRefusesToStart) {
  testnode::TestNode node(testnode::TestNodeOptions{});
  node.start();
  auto db = test::make_sqlite_database();
  Config config = load_config_text("[bitcoin]\nuser = pool\npassword = pool\nport = " + std::to_string(node.port()) +
                                       "\n[stratum]\nhost = 127.0.0.1\n[pool]\naddress = " + kPoolAddress +
                                       "\n[database]\ndb_path = " + db->url() + "\n",
                                   "one.ini");
  config.stratum.port = 0;
  config.api.port = 0;
  std::atomic<bool> stop{false};
  PoolApp first(config);
  ASSERT_TRUE(first.start(stop));
  PoolApp second(config);
  try {
    second.start(stop);
    FAIL() << "a second pool started on the same SQLite file";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("already in use by poold"), std::string::npos) << e.what();
  }
  first.stop();
  node.stop();
}

// SOLO: each miner's coinbase pays its own address; blocks are recorded, no balances arise.
TEST(PoolEndToEnd, SoloPaysTheFinderDirectly) {
  testnode::TestNodeOptions node_options;
  testnode::TestNode node(node_options);
  node.start();
  const std::string db_path =
      (std::filesystem::temp_directory_path() / ("pool-solo-" + std::to_string(::getpid()) + ".db")).string();
  Config config = load_config_text("[bitcoin]\nuser = pool\npassword = pool\nport = " + std::to_string(node.port()) +
                                       "\n[stratum]\nhost = 127.0.0.1\ndifficulty = 0.000001\n[pool]\npayout_scheme = solo\n"
                                       "address = " + std::string(kPoolAddress) + "\n[database]\ndb_path = sqlite:///" + db_path + "\n",
                                   "solo.ini");
  config.stratum.port = 0;
  config.api.port = 0;
  PoolApp app(config);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(app.start(stop));
  const std::string finder = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";
  const MinerResult r = mine(app.stratum_port(), finder + ".solo", 3);
  app.stop();
  EXPECT_GE(r.accepted, 1);
  const bitcoin::Bytes finder_script = bitcoin::address_to_script(finder, bitcoin::Network::kRegtest);
  node.service().with_chain([&](auto& chain, auto&, auto&) {
    ASSERT_GE(chain.height(), 1);
    for (int64_t h = 1; h <= chain.height(); ++h) {
      EXPECT_EQ(chain.find(*chain.hash_at(h))->block.transactions[0].outputs[0].script_pubkey, finder_script) << h;
    }
  });
  auto store = store::open_store("sqlite:///" + db_path);
  const auto blocks = store->blocks(std::nullopt, 100);
  ASSERT_FALSE(blocks.empty());
  EXPECT_EQ(blocks[0].scheme, "solo");
  EXPECT_TRUE(store->balances().empty());
  EXPECT_GE(store->count_shares(), static_cast<uint64_t>(r.accepted));
  node.stop();
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db_path + suffix);
}

// GET /api/job?address= on a running SOLO pool shows byte for byte the coinbase the Stratum server
// sent a miner of that address (same tag, extranonce sizes and payee), so what a miner reads on
// the API is what it mines; and PPLNS's pool reward output is the pool's address.
TEST(PoolEndToEnd, SoloJobApiShowsTheCoinbaseTheMinerGets) {
  testnode::TestNode node(testnode::TestNodeOptions{});
  node.start();
  const std::string db_path =
      (std::filesystem::temp_directory_path() / ("pool-solo-job-" + std::to_string(::getpid()) + ".db")).string();
  Config config = load_config_text("[bitcoin]\nuser = pool\npassword = pool\nport = " + std::to_string(node.port()) +
                                       "\n[stratum]\nhost = 127.0.0.1\nextranonce2_size = 6\n[pool]\npayout_scheme = solo\n"
                                       "coinbase_tag = /e2e-solo-tag/\naddress = " + std::string(kPoolAddress) +
                                       "\n[database]\ndb_path = sqlite:///" + db_path + "\n",
                                   "solo-job.ini");
  config.stratum.port = 0;
  config.api.port = 0;
  PoolApp app(config);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(app.start(stop));
  const std::string finder = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";
  minerlib::LineClient c("127.0.0.1", app.stratum_port());
  c.send(R"({"id":1,"method":"mining.subscribe","params":["e2e-miner"]})" "\n"
         R"({"id":2,"method":"mining.authorize","params":[")" + finder + R"(.rig","x"]})" "\n");
  std::optional<rapidjson::Document> notify;
  while (auto line = c.read_line(std::chrono::seconds(5))) {
    auto d = util::parse_json(*line);
    if (d.HasMember("method") && std::string(d["method"].GetString()) == "mining.notify") {
      notify = std::move(d);
      break;
    }
  }
  ASSERT_TRUE(notify);
  const auto& params = (*notify)["params"];
  auto [status, body] = test::http_get(app.api_port(), "/api/job?address=" + finder);
  ASSERT_EQ(status, 200) << body;
  const auto job = util::parse_json(body);
  // The notify id is the base job's id followed by this connection's suffix.
  EXPECT_EQ(std::string(params[0].GetString()).rfind(job["job_id"].GetString(), 0), 0u);
  EXPECT_STREQ(job["coinb1"].GetString(), params[2].GetString());
  EXPECT_STREQ(job["coinb2"].GetString(), params[3].GetString());
  EXPECT_STREQ(job["coinbase_tag"].GetString(), "/e2e-solo-tag/");
  EXPECT_STREQ(job["outputs"][0]["role"].GetString(), "miner_reward");
  EXPECT_STREQ(job["outputs"][0]["address"].GetString(), finder.c_str());
  std::tie(status, body) = test::http_get(app.api_port(), "/api/job?address=bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  EXPECT_EQ(status, 400);  // a mainnet address on regtest
  app.stop();
  node.stop();
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(db_path + suffix);
}

}  // namespace
}  // namespace pool::app
