// Committed PPLNS windows in the store, on SQLite and PostgreSQL: written once with every leaf,
// never rewritten, read back by page and by address, their on-chain carrier recorded and
// cleared, and fenced like the other money writes.
#include <gtest/gtest.h>

#include "store/store.h"
#include "support/eventually.h"
#include "support/test_databases.h"

namespace pool::store {
namespace {

BlockWindow window_for(const std::string& hash, int64_t created_ms) {
  BlockWindow w;
  w.block_hash = hash;
  w.root = std::string(62, '0') + "ab";
  w.total_weight = "340282366920938463463374607431768211455";  // 2^128 - 1: kept exactly, as text
  w.fee_ppm = 10000;
  w.reward_sats = 5000000000;
  w.created_ms = created_ms;
  return w;
}

std::vector<WindowLeafRow> leaves_for(int n) {
  std::vector<WindowLeafRow> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({i, i % 2 ? "bcrt1qodd" : "bcrt1qeven", "w" + std::to_string(i), 10 * i, 10 * i + 9, 10,
                   std::to_string(1000 + i), std::string(63, '0') + std::to_string(i % 10)});
  }
  return out;
}

class WindowStore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) GTEST_SKIP() << GetParam() << " is not available";
    store = open_store(db->url());
  }
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<Store> store;
};

TEST_P(WindowStore, AWindowIsWrittenOnceWithEveryLeafAndNeverRewritten) {
  ASSERT_TRUE(store->store_block_window(window_for("b1", 100), leaves_for(5)));
  auto changed = window_for("b1", 100);
  changed.root = std::string(64, 'f');
  EXPECT_FALSE(store->store_block_window(changed, leaves_for(7))) << "a committed window must never be rewritten";

  const auto w = store->block_window("b1");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->root, std::string(62, '0') + "ab");
  EXPECT_EQ(w->total_weight, "340282366920938463463374607431768211455");
  EXPECT_EQ(w->leaf_count, 5);
  EXPECT_EQ(w->fee_ppm, 10000);
  EXPECT_EQ(w->commitment_block, "");
  EXPECT_EQ(store->window_leaves("b1", 0, 100).size(), 5u);
  EXPECT_FALSE(store->block_window("unknown"));
}

TEST_P(WindowStore, LeavesArePagedByIndexAndFoundByAddress) {
  ASSERT_TRUE(store->store_block_window(window_for("b1", 100), leaves_for(9)));
  const auto page = store->window_leaves("b1", 3, 4);
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page.front().index, 3);
  EXPECT_EQ(page.back().index, 6);
  EXPECT_EQ(page.front().worker, "w3");
  EXPECT_EQ(page.front().first_share_id, 30);
  EXPECT_EQ(page.front().weight, "1003");
  EXPECT_TRUE(store->window_leaves("b1", 9, 4).empty());
  const auto odd = store->window_leaves_of("b1", "bcrt1qodd");
  ASSERT_EQ(odd.size(), 4u);
  for (const auto& l : odd) EXPECT_EQ(l.index % 2, 1);
  EXPECT_TRUE(store->window_leaves_of("b1", "bcrt1qnobody").empty());
}

TEST_P(WindowStore, NewestFirstAndTheCarrierIsRecordedAndCleared) {
  ASSERT_TRUE(store->store_block_window(window_for("old", 100), leaves_for(1)));
  ASSERT_TRUE(store->store_block_window(window_for("new", 200), leaves_for(1)));
  const auto all = store->block_windows(10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].block_hash, "new");
  store->set_window_commitment("old", "carrierhash", "carriertxid");
  EXPECT_EQ(store->block_window("old")->commitment_block, "carrierhash");
  EXPECT_EQ(store->block_window("old")->commitment_txid, "carriertxid");
  store->set_window_commitment("old", "", "");  // the carrier was orphaned: carry it again
  EXPECT_EQ(store->block_window("old")->commitment_block, "");
}

BlockRecord block_for(const std::string& hash, int64_t found_ms, const std::string& status, const std::string& scheme) {
  BlockRecord b;
  b.hash = hash;
  b.height = found_ms;
  b.reward_sats = 5000000000;
  b.status = status;
  b.found_ms = found_ms;
  b.network_difficulty = 4.656542373906925e-10;  // regtest's, kept exactly
  b.scheme = scheme;
  return b;
}

TEST_P(WindowStore, BlocksNeedingAWindowAreTheUncreditedPplnsOnesWithoutOneOldestFirst) {
  for (const auto& b : {block_for("pending2", 300, "pending", "pplns"), block_for("found", 100, "found", "pplns"),
                        block_for("submitted", 200, "submitted", "pplns"), block_for("solo", 50, "pending", "solo"),
                        block_for("confirmed", 60, "confirmed", "pplns"), block_for("orphaned", 70, "orphaned", "pplns"),
                        block_for("rejected", 80, "rejected", "pplns"), block_for("committed", 90, "pending", "pplns")}) {
    ASSERT_TRUE(store->insert_block(b));
  }
  ASSERT_TRUE(store->store_block_window(window_for("committed", 100), leaves_for(1)));
  const auto needing = store->blocks_needing_window(10);
  std::vector<std::string> hashes;
  for (const auto& b : needing) hashes.push_back(b.hash);
  EXPECT_EQ(hashes, (std::vector<std::string>{"found", "submitted", "pending2"}));
  EXPECT_EQ(needing[0].network_difficulty, 4.656542373906925e-10);
  EXPECT_EQ(needing[0].reward_sats, 5000000000);
  EXPECT_EQ(store->blocks_needing_window(1).size(), 1u);
}

TEST_P(WindowStore, TheLedgerSnapshotHoldsTheWindowsTheirLeavesAndTheirBlocksCredits) {
  ASSERT_TRUE(store->insert_block(block_for("b1", 100, "pending", "pplns")));
  ASSERT_TRUE(store->store_block_window(window_for("b1", 100), leaves_for(3)));
  ASSERT_TRUE(store->insert_block(block_for("b2", 200, "pending", "pplns")));  // credited, no window
  ASSERT_TRUE(store->credit_block("b1", {{"bcrt1qeven", 3000000000}, {"bcrt1qodd", 1950000000}}, 50000000));
  ASSERT_TRUE(store->credit_block("b2", {{"bcrt1qeven", 4950000000}}, 50000000));
  const auto books = store->ledger_snapshot();
  ASSERT_EQ(books.windows.size(), 1u);
  EXPECT_EQ(books.windows[0].block_hash, "b1");
  EXPECT_EQ(books.windows[0].total_weight, "340282366920938463463374607431768211455");
  ASSERT_EQ(books.window_leaves.at("b1").size(), 3u);
  EXPECT_EQ(books.window_leaves.at("b1")[2].worker, "w2");
  EXPECT_EQ(books.window_leaves.at("b1")[2].weight, "1002");
  EXPECT_EQ(books.window_credits.size(), 1u);  // only blocks with a window
  EXPECT_EQ(books.window_credits.at("b1"), (std::map<std::string, int64_t>{
                                               {"bcrt1qeven", 3000000000}, {"bcrt1qodd", 1950000000}, {kPoolAccount, 50000000}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, WindowStore, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(PostgresWindowStore, AnOldLeaderCannotCommitOrMoveAWindow) {
  auto db = test::database_for_test("postgresql");
  if (!db) GTEST_SKIP() << "postgresql is not available";
  auto first = open_store(db->url());
  auto second = open_store(db->url());
  ASSERT_TRUE(first->try_acquire_leadership());
  ASSERT_TRUE(first->store_block_window(window_for("b1", 100), leaves_for(2)));
  db->execute(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  ASSERT_TRUE(test::eventually([&] { return second->try_acquire_leadership(); }, std::chrono::seconds(10)));
  EXPECT_THROW(first->store_block_window(window_for("b2", 200), leaves_for(2)), FencedError);
  EXPECT_THROW(first->set_window_commitment("b1", "x", "y"), FencedError);
  EXPECT_FALSE(second->block_window("b2"));
  EXPECT_EQ(second->block_window("b1")->commitment_block, "");
}

}  // namespace
}  // namespace pool::store
