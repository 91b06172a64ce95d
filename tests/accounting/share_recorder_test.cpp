// The durable share sink against real databases: a share is stored once however it comes back
// (a replay after a pool restart reaches the database's key), and a row the database refuses
// is isolated, answered with an error and never blocks the shares around it.
#include "accounting/share_recorder.h"

#include <gtest/gtest.h>

#include <mutex>
#include <optional>

#include "bitcoin/sha256.h"
#include "stratum/fake_host.h"
#include "stratum/server.h"
#include "support/eventually.h"
#include "support/shares.h"
#include "support/test_databases.h"
#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace pool::accounting {
namespace {

using stratum::RecordOutcome;
const std::string kWorker = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.rig";

/// Collects the outcome of each recorded share by its position.
class Outcomes {
 public:
  std::function<void(RecordOutcome)> slot(size_t i) {
    {
      std::lock_guard lock(mutex_);
      if (outcomes_.size() <= i) outcomes_.resize(i + 1);
    }
    return [this, i](RecordOutcome o) {
      std::lock_guard lock(mutex_);
      outcomes_[i] = o;
    };
  }
  bool all_known() {
    std::lock_guard lock(mutex_);
    for (const auto& o : outcomes_) {
      if (!o) return false;
    }
    return true;
  }
  RecordOutcome at(size_t i) {
    std::lock_guard lock(mutex_);
    return *outcomes_.at(i);
  }

 private:
  std::mutex mutex_;
  std::vector<std::optional<RecordOutcome>> outcomes_;
};

TEST(ShareRecorderPostgres, ARefusedRowIsIsolatedAndTheHonestSharesAroundItAreRecorded) {
  auto db = test::database_for_test("postgresql");
  if (!db) return;
  auto store = store::open_store(db->url());
  // Batches of exactly six (the writer waits until six are queued), so the bad row shares its
  // batch with honest ones.
  ShareRecorder recorder(*store, std::chrono::milliseconds(60000), 6);
  Outcomes outcomes;
  std::vector<mining::AcceptedShare> shares;
  for (int i = 0; i < 12; ++i) shares.push_back(test::share_at("honest" + std::to_string(i % 3), 1, 1000 + i));
  shares[3].worker = "bad\xff\xfe worker";  // not UTF-8: PostgreSQL refuses the row (SQLSTATE 22021)
  shares[9] = shares[0];                    // the next batch replays an earlier share
  for (size_t i = 0; i < shares.size(); ++i) recorder.record(shares[i], outcomes.slot(i));
  ASSERT_TRUE(test::eventually([&] { return outcomes.all_known(); }, std::chrono::seconds(30)))
      << "the writer is stuck on the refused row";
  for (size_t i = 0; i < shares.size(); ++i) {
    const RecordOutcome expected = i == 3 ? RecordOutcome::kRefused : i == 9 ? RecordOutcome::kDuplicate
                                                                            : RecordOutcome::kRecorded;
    EXPECT_EQ(static_cast<int>(outcomes.at(i)), static_cast<int>(expected)) << "share " << i;
  }
  EXPECT_EQ(store->count_shares(), 10u);
  EXPECT_EQ(recorder.committed(), 10u);
  EXPECT_EQ(recorder.refused(), 1u);
  EXPECT_EQ(recorder.duplicates(), 1u);
}

/// A miner on a real Stratum server whose shares go through a ShareRecorder into a database.
class ReplayThroughTheDatabase : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) return;
    store = store::open_store(db->url());
    recorder = std::make_unique<ShareRecorder>(*store);
  }
  /// A fresh server with its own job registry, as after a pool restart: the same template gives
  /// the same first job, but nothing of the old process's memory.
  void restart_pool() {
    if (server) server->stop();
    server.reset();
    host = std::make_unique<test::FakeHost>();
    host->add_job();
    stratum::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.session.vardiff.initial = 1e-7;
    server = std::make_unique<stratum::StratumServer>(o, host->registry, bitcoin::Network::kRegtest, *recorder, nullptr);
    server->start();
  }
  void TearDown() override {
    if (server) server->stop();
  }
  static rapidjson::Document next(minerlib::LineClient& c) { return util::parse_json(*c.read_line()); }
  struct Login {
    bitcoin::Bytes extranonce1;
    double difficulty = 0;
    minerlib::MinerJob job;
  };
  Login login(minerlib::LineClient& c, const std::string& resume) {
    Login l;
    c.send(R"({"id":1,"method":"mining.subscribe","params":["m/1",")" + resume + "\"]}\n" +
           R"({"id":2,"method":"mining.authorize","params":[")" + kWorker + R"(","x"]})" "\n");
    while (true) {
      auto m = next(c);
      if (m.HasMember("id") && m["id"].IsInt() && m["id"].GetInt() == 1) {
        l.extranonce1 = bitcoin::from_hex(m["result"][1].GetString());
      }
      if (!m.HasMember("method") || !m["method"].IsString()) continue;
      const std::string method = m["method"].GetString();
      if (method == "mining.set_difficulty") l.difficulty = m["params"][0].GetDouble();
      if (method == "mining.notify") {
        l.job = minerlib::parse_notify(m["params"]);
        return l;
      }
    }
  }
  static std::string share(const Login& l) {
    bitcoin::Bytes en2(8, 0);
    en2[7] = 1;
    auto header = minerlib::build_header(l.job, l.extranonce1, en2, l.job.ntime, 0, l.job.version);
    const auto target = bitcoin::target_from_difficulty(l.difficulty);
    uint32_t nonce = 0;
    for (;; ++nonce) {
      bitcoin::write_le32(header.data() + 76, nonce);
      if (bitcoin::hash_meets_target(bitcoin::sha256d(header), target)) break;
    }
    return minerlib::submit_line("9", kWorker, l.job, en2, l.job.ntime, nonce, 0);
  }

  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<ShareRecorder> recorder;
  std::unique_ptr<test::FakeHost> host;
  std::unique_ptr<stratum::StratumServer> server;
};

TEST_P(ReplayThroughTheDatabase, AShareReplayedAfterAPoolRestartIsStoredOnce) {
  restart_pool();
  std::string replay, en1;
  {
    minerlib::LineClient c("127.0.0.1", server->port());
    const Login l = login(c, "");
    en1 = bitcoin::to_hex(l.extranonce1);
    replay = share(l);
    c.send(replay);
    EXPECT_TRUE(next(c)["result"].GetBool());
  }
  restart_pool();  // every in-memory duplicate check is gone; the database's key remains
  minerlib::LineClient c("127.0.0.1", server->port());
  const Login l = login(c, en1);
  ASSERT_EQ(bitcoin::to_hex(l.extranonce1), en1);  // a restarted pool honours session resume
  c.send(replay);
  const auto r = next(c);
  ASSERT_TRUE(r["error"].IsArray()) << "the replayed share was credited again";
  EXPECT_EQ(r["error"][0].GetInt(), stratum::kDuplicate);
  EXPECT_STREQ(r["error"][1].GetString(), "Duplicate share");
  EXPECT_TRUE(r["result"].IsNull());
  EXPECT_EQ(store->count_shares(), 1u);
  const auto stats = server->stats().snapshot(std::chrono::system_clock::now());
  EXPECT_EQ(stats.accepted, 0u);
  EXPECT_EQ(stats.rejects_by_reason.at("duplicate"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReplayThroughTheDatabase, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
