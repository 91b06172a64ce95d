// End to end for the verifiable pool (issue 12): the test node, the whole pool (PoolApp as poold
// runs it) and two miners over real sockets. The miners find blocks one after another; each
// block's committed window root shows up in the PPLN output of the next coinbase the miners are
// given, and of the next block. After maturity and a payout, pool-verify (the installed binary,
// run as a child process against the pool's API and the node) passes for both miners and every
// credited block. Then the database is tampered with: a leaf's weight changed after its
// commitment, or a credited amount changed; pool-verify fails naming what, and so does the
// ledger audit (poold --audit).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "app/config.h"
#include "app/pool_app.h"
#include "bitcoin/address.h"
#include "bitcoin/sha256.h"
#include "bitcoin/target.h"
#include "store/store.h"
#include "support/eventually.h"
#include "support/http_get.h"
#include "testnode/test_node.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::app {
namespace {

using namespace std::chrono_literals;

const std::string kMinerA = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
const std::string kMinerB = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";

/// One miner the test drives share by share: it follows set_difficulty and notify, submits one
/// share at a time and tells whether that share was also a block.
class StepMiner {
 public:
  StepMiner(uint16_t port, const std::string& worker) : client_("127.0.0.1", port), worker_(worker) {
    client_.send(R"({"id":1,"method":"mining.subscribe","params":["e2e"]})" "\n"
                 R"({"id":2,"method":"mining.authorize","params":[")" + worker + R"(","x"]})" "\n");
    while (!job_ || en1_.empty()) pump(5s);
  }

  /// Solves and submits one share on the newest job; the block hash (display hex) when the share
  /// also met the network target, "" otherwise. Fails the test when the pool refuses it.
  std::string submit_share() {
    for (;;) {
      while (pump(5ms)) {
      }
      bitcoin::Bytes en2(en2_size_, 0);
      bitcoin::write_be32(en2.data(), ++en2_counter_);
      const minerlib::MinerJob job = *job_;
      const auto header = minerlib::build_header(job, en1_, en2, job.ntime, 0, job.version);
      const auto nonce = minerlib::scan_nonces(header, bitcoin::target_from_difficulty(difficulty_), 0, 1u << 26);
      if (!nonce) continue;
      const auto solved = minerlib::build_header(job, en1_, en2, job.ntime, *nonce, job.version);
      const bitcoin::Uint256 hash = bitcoin::sha256d(solved);
      const int id = next_id_++;
      client_.send(minerlib::submit_line(std::to_string(id), worker_, job, en2, job.ntime, *nonce, 0));
      answer_.reset();
      while (!answer_) {
        if (!pump(10s)) ADD_FAILURE() << worker_ << ": no answer to share " << id;
      }
      if (*answer_ == 21) continue;  // stale: a new block came in between
      EXPECT_EQ(*answer_, 0) << worker_ << ": share refused with error " << *answer_;
      return bitcoin::hash_meets_target(hash, *bitcoin::target_from_bits(job.nbits)) ? hash.hex() : "";
    }
  }

  std::string coinb2_hex() const { return bitcoin::to_hex(job_->coinb2); }
  /// Whether the newest work's coinbase carries OP_RETURN "PPLN"||root (reads what the pool sent).
  bool work_commits(const std::string& root_hex) {
    while (pump(20ms)) {  // (LineClient reads the socket only with a timeout of at least 1 ms left)
    }
    const std::string needle = "6a2450504c4e" + root_hex;
    return bitcoin::to_hex(job_->coinb2).find(needle) != std::string::npos;
  }

 private:
  bool pump(std::chrono::milliseconds timeout) {
    auto line = client_.read_line(timeout);
    if (!line) return false;
    auto d = util::parse_json(*line);
    if (d.HasMember("method")) {
      const std::string m = d["method"].GetString();
      if (m == "mining.set_difficulty") difficulty_ = d["params"][0].GetDouble();
      if (m == "mining.notify") job_ = minerlib::parse_notify(d["params"]);
    } else if (d["id"].IsInt() && d["id"].GetInt() == 1) {
      en1_ = bitcoin::from_hex(d["result"][1].GetString());
      en2_size_ = d["result"][2].GetUint();
    } else if (d["id"].IsInt() && d["id"].GetInt() >= 100) {
      answer_ = d["result"].IsBool() && d["result"].GetBool() ? 0 : d["error"][0].GetInt();
    }
    return true;
  }

  minerlib::LineClient client_;
  std::string worker_;
  bitcoin::Bytes en1_;
  size_t en2_size_ = 8;
  double difficulty_ = 1;
  std::optional<minerlib::MinerJob> job_;
  std::optional<int> answer_;
  uint32_t en2_counter_ = 0;
  int next_id_ = 100;
};

/// Runs a command line; returns its exit status and what it printed (stdout and stderr).
std::pair<int, std::string> run(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

void sql(const std::string& path, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << statement << ": " << (error ? error : "");
  sqlite3_free(error);
  EXPECT_EQ(sqlite3_changes(db), 1) << statement;
  sqlite3_close(db);
}

class TransparencyEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    node_options.zmq_hashblock = "tcp://127.0.0.1:" + std::to_string(31000 + ::getpid() % 1000);
    node_options.bits = 0x1f7fffff;  // network difficulty ~1.2e-7: about one share in 12 is a block
    node = std::make_unique<testnode::TestNode>(node_options);
    node->start();
    db_path = (std::filesystem::temp_directory_path() / ("pool-transparency-" + std::to_string(::getpid()) + ".db")).string();
    std::filesystem::remove(db_path);
    config_path = db_path + ".ini";
    std::ofstream(config_path) << "[bitcoin]\nuser = pool\npassword = pool\nhost = 127.0.0.1\nport = "
                               << node->port() << "\nzmq_hashblock = " << node_options.zmq_hashblock
                               << "\n[stratum]\nhost = 127.0.0.1\ndifficulty = 1e-8\nmin_difficulty = 1e-8\n"
                                  "max_difficulty = 1e-8\n[pool]\nfee_percentage = 1.5\n"
                                  "min_payout = 0.0001\npayment_interval_hours = 0.0002\n[database]\ndb_path = sqlite:///"
                               << db_path << "\n";
    Config config = load_config(config_path);
    config.stratum.port = 0;  // any free port (the file's ports matter only to poold --audit, which binds none)
    config.api.port = 0;
    app = std::make_unique<PoolApp>(config);
    ASSERT_TRUE(app->start(stop));
    api = "http://127.0.0.1:" + std::to_string(app->api_port());
    rpc = "http://pool:pool@127.0.0.1:" + std::to_string(node->port());
  }
  void TearDown() override {
    if (app) app->stop();
    if (node) node->stop();
    std::filesystem::remove(db_path);
    std::filesystem::remove(db_path + ".lock");
    std::filesystem::remove(config_path);
  }

  std::pair<int, std::string> verify(const std::string& block, const std::string& address) {
    return run(std::string(POOL_VERIFY_PATH) + " --api " + api + " --block " + block + " --address " + address +
               " --rpc-url " + rpc + " --timeout 10");
  }

  /// The block's committed window root once the pool has stored it ("" if it never does).
  std::string window_root(const std::string& block) {
    std::string root;
    test::eventually([&] {
      const auto [status, body] = test::http_get(app->api_port(), "/api/blocks/" + block + "/window");
      if (status == 200) root = util::get_string(util::parse_json(body), "root");
      return status == 200;
    }, 20s);
    return root;
  }

  std::atomic<bool> stop{false};
  testnode::TestNodeOptions node_options;
  std::unique_ptr<testnode::TestNode> node;
  std::unique_ptr<PoolApp> app;
  std::string db_path, config_path, api, rpc;
};

TEST_F(TransparencyEndToEnd, MinersVerifyEveryCreditedBlockAndTamperingIsCaught) {
  StepMiner a(app->stratum_port(), kMinerA + ".rig1");
  StepMiner b(app->stratum_port(), kMinerB + ".rig2");

  // Both miners take turns until 3 blocks are found. After each block, wait until its window is
  // stored and the work the miners get commits its root, so the next pool block carries it.
  std::vector<std::string> found;
  std::map<std::string, std::string> root_of;
  for (int turn = 0; found.size() < 3 && turn < 2000; ++turn) {
    StepMiner& m = turn % 2 ? b : a;
    const std::string block = m.submit_share();
    if (block.empty()) continue;
    found.push_back(block);
    root_of[block] = window_root(block);
    ASSERT_FALSE(root_of[block].empty()) << "no window stored for block " << block;
    ASSERT_TRUE(test::eventually([&] { return a.work_commits(root_of[block]) && b.work_commits(root_of[block]); }, 20s))
        << "the miners' work never committed the root " << root_of[block] << " of block " << block << ": coinb2 "
        << a.coinb2_hex() << "\n/api/job: " << test::http_get(app->api_port(), "/api/job").second;
  }
  ASSERT_EQ(found.size(), 3u);

  // Each block's root is in the PPLN output of the next block's coinbase, on the node's chain.
  for (size_t i = 0; i + 1 < found.size(); ++i) {
    const auto [status, body] = test::http_get(app->api_port(), "/api/blocks/" + found[i] + "/window");
    ASSERT_EQ(status, 200);
    EXPECT_EQ(util::get_string(util::parse_json(body), "commitment_block"), found[i + 1]) << body;
  }

  // The last block is not committed yet: pool-verify says so and fails.
  {
    const auto [code, out] = verify(found.back(), kMinerA);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("NOT COMMITTED YET"), std::string::npos) << out;
  }

  // Maturity: 101 more blocks from elsewhere; the pool credits its blocks and pays.
  {
    const std::string elsewhere = bitcoin::encode_segwit_address(bitcoin::Network::kRegtest, 0, std::vector<uint8_t>(20, 0x55));
    int http_status = 0;
    node->service().handle(R"({"id":1,"method":"generatetoaddress","params":[101,")" + elsewhere + R"("]})", &http_status);
    ASSERT_EQ(http_status, 200);
  }
  ASSERT_TRUE(test::eventually([&] {
    auto store = store::open_store("sqlite:///" + db_path);
    int confirmed = 0;
    for (const auto& blk : store->blocks(std::nullopt, 100)) {
      if (std::count(found.begin(), found.end(), blk.hash) && blk.status == "confirmed") ++confirmed;
    }
    return confirmed == 3 && !store->payments(std::string("sent"), 10).empty();
  }, 60s)) << "the blocks were not credited and paid";

  // One more pool block carries the last block's root.
  for (int turn = 0; turn < 2000; ++turn) {
    if (!a.submit_share().empty()) break;
  }
  ASSERT_TRUE(test::eventually([&] {
    const auto [status, body] = test::http_get(app->api_port(), "/api/blocks/" + found.back() + "/window");
    return status == 200 && util::parse_json(body)["commitment_block"].IsString();
  }, 20s));

  // pool-verify passes for both miners and every credited block they have shares in.
  int verified = 0;
  for (const auto& block : found) {
    for (const auto& address : {kMinerA, kMinerB}) {
      const auto [status, body] = test::http_get(app->api_port(), "/api/blocks/" + block + "/proof/" + address);
      if (status == 404) continue;  // no shares in this window
      const auto [code, out] = verify(block, address);
      EXPECT_EQ(code, 0) << block << " " << address << ":\n" << out;
      EXPECT_NE(out.find("ok    commitment"), std::string::npos) << out;
      EXPECT_NE(out.find("ok    credit: the pool credited"), std::string::npos) << out;
      ++verified;
    }
  }
  EXPECT_GE(verified, 3);
  std::set<std::string> with_payments;
  for (const auto& address : {kMinerA, kMinerB}) {
    const auto [status, body] = test::http_get(app->api_port(), "/api/blocks/" + found[0] + "/proof/" + address);
    if (status == 200 && util::parse_json(body)["payments"].Size() > 0) with_payments.insert(address);
  }
  EXPECT_FALSE(with_payments.empty()) << "a payout to check";
  {
    const auto [code, out] = run(std::string(POOLD_PATH) + " --config " + config_path + " --audit");
    EXPECT_EQ(code, 0) << out;
  }

  // Tamper: a leaf's weight after its commitment.
  const std::string target = found[0];
  const auto proof = util::parse_json(test::http_get(app->api_port(), "/api/blocks/" + target + "/proof/" + kMinerA).second);
  const std::string address = proof.HasMember("leaves") ? kMinerA : kMinerB;
  sql(db_path, "UPDATE window_leaves SET weight = '12345' WHERE block_hash = '" + target + "' AND address = '" +
                   address + "' AND leaf_index = (SELECT MIN(leaf_index) FROM window_leaves WHERE block_hash = '" +
                   target + "' AND address = '" + address + "')");
  {
    const auto [code, out] = verify(target, address);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("hash to"), std::string::npos) << "the changed leaf is named: " << out;
    const auto [audit_code, audit_out] = run(std::string(POOLD_PATH) + " --config " + config_path + " --audit");
    EXPECT_NE(audit_code, 0) << audit_out;
    EXPECT_NE(audit_out.find(target), std::string::npos) << "the audit names the block: " << audit_out;
  }

  // Tamper: the credited amount of another block.
  const std::string credited = found[1];
  const auto p1 = util::parse_json(test::http_get(app->api_port(), "/api/blocks/" + credited + "/proof/" + kMinerA).second);
  const std::string who = p1.HasMember("leaves") ? kMinerA : kMinerB;
  sql(db_path, "UPDATE balance_changes SET delta_sats = delta_sats - 1 WHERE reason = 'share_reward' AND reference = '" +
                   credited + "' AND address = '" + who + "'");
  {
    const auto [code, out] = verify(credited, who);
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find("FAIL: credit"), std::string::npos) << out;
    EXPECT_NE(out.find(credited), std::string::npos) << out;
    const auto [audit_code, audit_out] = run(std::string(POOLD_PATH) + " --config " + config_path + " --audit");
    EXPECT_NE(audit_code, 0) << audit_out;
  }
}

}  // namespace
}  // namespace pool::app
