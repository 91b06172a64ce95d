// Share retention: old shares go only when no block can still be paid from them, and what a
// pending block is credited is the same before and after pruning.
#include "accounting/share_retention.h"

#include <gtest/gtest.h>

#include "accounting/accounting_service.h"
#include "accounting/pplns.h"
#include "support/eventually.h"
#include "support/mining_helpers.h"
#include "support/shares.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

constexpr int64_t kDay = 86400000;
constexpr int64_t kNow = 400 * kDay;

mining::AcceptedShare share(const std::string& address, double difficulty, int64_t ms) {
  return test::share_at(address, difficulty, ms);
}

/// `n` shares of difficulty 1 for `address`, one minute apart, the last at `last_ms`.
std::vector<mining::AcceptedShare> shares(const std::string& address, int n, int64_t last_ms) {
  std::vector<mining::AcceptedShare> out;
  for (int i = n - 1; i >= 0; --i) out.push_back(share(address, 1, last_ms - i * 60000));
  return out;
}

class ShareRetention : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) return;
    store = store::open_store(db->url());
  }
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  RetentionOptions options{7, 2, 4, 10000, {}};
};

TEST_P(ShareRetention, OldSharesOutsideTheNextWindowGoAndYoungOnesStay) {
  store->insert_shares(shares("old", 10, kNow - 30 * kDay));
  store->insert_shares(shares("young", 10, kNow - 3600000));
  // Network difficulty 1, window 2 x headroom 4 = the 8 newest shares.
  const auto report = prune_shares(*store, 1, options, kNow);
  EXPECT_EQ(report.deleted, 10u);
  EXPECT_EQ(store->count_shares(), 10u);  // the 2 young ones outside the window stay: too young
  const auto window = pplns_window(*store, kNow, 1000);
  ASSERT_EQ(window.size(), 10u);
  for (const auto& s : window) EXPECT_EQ(s.address, "young");
}

TEST_P(ShareRetention, PendingBlockIsCreditedTheSameAfterPruning) {
  // A block found 30 days ago at difficulty 5 (window 10) is still waiting for maturity (a long
  // stall); 15 shares before it, 20 after.
  store->insert_shares(shares("early", 5, kNow - 31 * kDay));
  store->insert_shares(shares("before", 10, kNow - 30 * kDay));
  store::BlockRecord block;
  block.hash = "ab";
  block.height = 500;
  block.reward_sats = 312500000;
  block.found_ms = kNow - 30 * kDay;
  block.network_difficulty = 5;
  block.scheme = "pplns";
  ASSERT_TRUE(store->insert_block(block));
  store->insert_shares(shares("after", 20, kNow - 20 * kDay));
  const auto split_before = split_pplns(block.reward_sats, 1.0, pplns_window(*store, block.found_ms, 10));

  const auto report = prune_shares(*store, 1, options, kNow);
  EXPECT_EQ(report.deleted, 5u);  // only the shares no window reaches
  EXPECT_EQ(store->count_shares(), 30u);
  const auto split_after = split_pplns(block.reward_sats, 1.0, pplns_window(*store, block.found_ms, 10));
  EXPECT_EQ(split_after.credits, split_before.credits);
  EXPECT_EQ(split_after.pool_sats(), split_before.pool_sats());

  // Once the block is credited, its window no longer holds anything back.
  ASSERT_TRUE(store->credit_block("ab", split_after.credits, split_after.pool_sats()));
  EXPECT_EQ(prune_shares(*store, 1, options, kNow).deleted, 22u);  // all but the next window's 8
}

// A block found 30 days ago at difficulty 5 (window 10): 15 shares before it, 20 after.
store::BlockRecord old_block(store::Store& store, const std::string& status) {
  store.insert_shares(shares("early", 5, kNow - 31 * kDay));
  store.insert_shares(shares("before", 10, kNow - 30 * kDay));
  store::BlockRecord block;
  block.hash = "ab";
  block.height = 500;
  block.reward_sats = 312500000;
  block.found_ms = kNow - 30 * kDay;
  block.network_difficulty = 5;
  block.scheme = "pplns";
  block.status = status;
  store.insert_shares(shares("after", 20, kNow - 20 * kDay));
  return block;
}

TEST_P(ShareRetention, BlockStillFoundOrSubmittedKeepsItsShares) {
  const auto block = old_block(*store, "found");  // written before submitblock, no answer yet
  ASSERT_TRUE(store->insert_block(block));
  const auto split_before = split_pplns(block.reward_sats, 1.0, pplns_window(*store, block.found_ms, 10));
  EXPECT_EQ(prune_shares(*store, 1, options, kNow).deleted, 5u);  // only the shares no window reaches
  ASSERT_TRUE(store->set_block_submitted("ab", "submitted", "node unreachable"));
  EXPECT_EQ(prune_shares(*store, 1, options, kNow).deleted, 0u);
  ASSERT_TRUE(store->set_block_submitted("ab", "pending", ""));
  EXPECT_EQ(prune_shares(*store, 1, options, kNow).deleted, 0u);
  const auto split_after = split_pplns(block.reward_sats, 1.0, pplns_window(*store, block.found_ms, 10));
  EXPECT_EQ(split_after.credits, split_before.credits);
  ASSERT_TRUE(store->credit_block("ab", split_after.credits, split_after.pool_sats()));
  EXPECT_EQ(prune_shares(*store, 1, options, kNow).deleted, 22u);  // credited: its window may go
}

TEST_P(ShareRetention, BlockNotYetInTheDatabaseKeepsItsShares) {
  const auto block = old_block(*store, "pending");  // in the spill file only (database was down)
  auto with_ledger = options;
  with_ledger.unstored_blocks = [&] { return std::vector<store::BlockRecord>{block}; };
  EXPECT_EQ(prune_shares(*store, 1, with_ledger, kNow).deleted, 5u);
  EXPECT_EQ(store->count_shares(), 30u);
}

TEST_P(ShareRetention, NothingGoesWhenDisabledOrWhenTheWindowIsNotFilled) {
  store->insert_shares(shares("ancient", 6, kNow - 300 * kDay));
  auto disabled = options;
  disabled.retention_days = 0;
  store->insert_shares(shares("more", 20, kNow - 100 * kDay));
  EXPECT_EQ(prune_shares(*store, 1, disabled, kNow).deleted, 0u);
  // Difficulty 10: the next window (80) is not filled by 26 shares, so any of them may be paid.
  EXPECT_EQ(prune_shares(*store, 10, options, kNow).deleted, 0u);
  EXPECT_EQ(store->count_shares(), 26u);
}

TEST_P(ShareRetention, ManyBatches) {
  store->insert_shares(shares("old", 95, kNow - 30 * kDay));
  auto small = options;
  small.batch = 7;
  EXPECT_EQ(prune_shares(*store, 1, small, kNow).deleted, 87u);
  EXPECT_EQ(store->count_shares(), 8u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShareRetention, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// The running service prunes on its own, with the difficulty it reads from the node.
TEST(ShareRetentionService, AccountingServicePrunesWithTheNodesDifficulty) {
  test::NodeFixture f;
  auto db = test::make_sqlite_database();
  auto store = store::open_store(db->url());
  const int64_t now = store::now_ms();
  store->insert_shares(shares("old", 5, now - 30 * kDay));
  AccountingOptions options;
  options.payment_interval_hours = 1e6;  // no payouts in this test
  options.retention.retention_days = 7;
  options.tick = std::chrono::milliseconds(10);
  AccountingService service(*store, *f.node, options);
  service.start();
  // Regtest difficulty is tiny: the newest share alone fills the next window.
  EXPECT_TRUE(test::eventually([&] { return service.shares_pruned() == 4; }));
  service.stop();
  EXPECT_EQ(store->count_shares(), 1u);
}

}  // namespace
}  // namespace pool::accounting
