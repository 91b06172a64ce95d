// A found block is never lost: it is written to the spill file before submitblock, reaches the
// node even while the database is down, and is stored once the database returns, however many
// retries that takes; a spill file left by an earlier run is stored at start-up.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "accounting/block_ledger.h"
#include "support/eventually.h"
#include "support/failing_store.h"
#include "support/ledger_check.h"
#include "support/mining_helpers.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

const std::string kMiner = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";

class FoundBlockDurability : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) return;
    inner = store::open_store(db->url());
    store = std::make_unique<test::FailingStore>(*inner);
    char tmpl[] = "/tmp/spill-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
    f.rpc->call("generatetoaddress", "[1,\"" + f.wallet_address + "\"]");
  }
  void TearDown() override {
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  LedgerOptions ledger_options() const {
    // A fast retry schedule: the test proves "no limit" by counting retries, not by waiting.
    return LedgerOptions{dir / "found-blocks.spill", std::chrono::milliseconds(1), std::chrono::milliseconds(4)};
  }
  /// Runs a found block through the pipeline as poold wires it.
  std::string find_and_submit(BlockLedger& ledger) {
    PipelineRecorder recorder(ledger, "pplns");
    mining::BlockPipeline pipeline(
        *f.node, [&](const mining::FoundBlock& found, const bitcoin::Block& block) { recorder.before_submit(found, block); },
        [&](const mining::FoundBlock&, const mining::SubmitResult& result) { recorder.after_submit(result); });
    auto found = test::find_block(*f.node, f.wallet_script, kMiner, 1500);
    pipeline.submit(found.found);
    pipeline.stop();  // waits until it has been submitted
    return found.block.header.hash().hex();
  }
  bool on_node(const std::string& hash) {
    return f.node->get_block_header(bitcoin::Uint256::from_hex(hash)).confirmations == 1;
  }
  std::optional<store::BlockRecord> in_database(const std::string& hash) {
    for (const auto& b : inner->blocks(std::nullopt, 100)) {
      if (b.hash == hash) return b;
    }
    return std::nullopt;
  }

  test::NodeFixture f;
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> inner;
  std::unique_ptr<test::FailingStore> store;
  std::filesystem::path dir;
};

TEST_P(FoundBlockDurability, DatabaseDownBlockReachesTheNodeAndIsStoredWhenItReturns) {
  store->down = true;
  BlockLedger ledger(*store, ledger_options());
  ledger.start();
  const std::string hash = find_and_submit(ledger);
  EXPECT_TRUE(on_node(hash));  // submission did not wait for the database

  // Kept in the spill file, with the node's answer.
  const auto spilled = BlockSpill(ledger.spill_path()).load();
  ASSERT_EQ(spilled.size(), 1u);
  EXPECT_EQ(spilled[0].hash, hash);
  EXPECT_EQ(spilled[0].status, "pending");
  // Retried far beyond the old give-up (100 tries, about 20 s), without a limit.
  EXPECT_TRUE(test::eventually([&] { return ledger.store_failures() > 300; }, std::chrono::seconds(30)));
  EXPECT_EQ(ledger.waiting().size(), 1u);
  EXPECT_FALSE(in_database(hash));

  store->down = false;
  ASSERT_TRUE(test::eventually([&] { return ledger.waiting().empty(); }));
  const auto b = in_database(hash);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, "pending");
  EXPECT_EQ(b->finder, kMiner + ".rig");
  EXPECT_EQ(b->finder_address, kMiner);
  EXPECT_EQ(b->share_hash, hash);
  EXPECT_EQ(b->header_hex.size(), 160u);
  EXPECT_EQ(b->reward_sats, 5000000000);
  const auto hex = inner->block_hex(hash);
  ASSERT_TRUE(hex);
  EXPECT_EQ(hex->substr(0, 160), b->header_hex);
  EXPECT_EQ(inner->blocks(std::nullopt, 100).size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(ledger.spill_path()));  // stored: the spill file is gone
  test::expect_ledger_balances(*inner, *f.node, "test payout ");
}

TEST_P(FoundBlockDurability, SpillFileOfAnEarlierRunIsStoredAtStartUp) {
  store->down = true;
  std::string hash;
  {
    BlockLedger ledger(*store, ledger_options());
    ledger.start();
    hash = find_and_submit(ledger);
    ledger.stop();  // poold stops (or dies) while the database is still down
  }
  EXPECT_TRUE(on_node(hash));
  EXPECT_FALSE(in_database(hash));
  store->down = false;
  BlockLedger restarted(*store, ledger_options());
  ASSERT_EQ(restarted.waiting().size(), 1u);
  restarted.start();
  ASSERT_TRUE(test::eventually([&] { return restarted.waiting().empty(); }));
  ASSERT_TRUE(in_database(hash));
  EXPECT_EQ(in_database(hash)->status, "pending");
  EXPECT_FALSE(std::filesystem::exists(restarted.spill_path()));
  test::expect_ledger_balances(*inner, *f.node, "test payout ");
}

TEST_P(FoundBlockDurability, TornLastLineIsSkipped) {
  BlockSpill spill(dir / "found-blocks.spill");
  store::BlockRecord b;
  b.hash = "aa";
  b.finder = "tab\there";
  b.status = "found";
  spill.append(b);
  b.status = "pending";
  spill.append(b);
  {
    std::ofstream out(spill.path(), std::ios::app);
    out << spill_line(b).substr(0, 30);  // killed mid-write
  }
  auto loaded = spill.load();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].status, "pending");
  EXPECT_EQ(loaded[0].finder, "tab\there");
  // The next run's line after the torn one is read intact.
  b.hash = "bb";
  spill.append(b);
  loaded = spill.load();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[1].hash, "bb");
}

INSTANTIATE_TEST_SUITE_P(Backends, FoundBlockDurability, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
