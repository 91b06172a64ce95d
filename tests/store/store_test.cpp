// One storage suite, run against SQLite and PostgreSQL: shares, the PPLNS window, blocks and
// their states, balances with their change log, payouts and their reservation, settings.
#include "store/store.h"

#include "store/migrations.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <future>

#include "support/eventually.h"
#include "support/shares.h"
#include "support/test_databases.h"

namespace pool::store {
namespace {

mining::AcceptedShare share(const std::string& address, double difficulty, int64_t ms) {
  return test::share_at(address, difficulty, ms);
}

BlockRecord block(const std::string& hash, int64_t height) {
  BlockRecord b;
  b.hash = hash;
  b.height = height;
  b.reward_sats = 5000000000;
  b.finder = "A.w";
  b.found_ms = 1000;
  b.network_difficulty = 10;
  return b;
}

class StoreSuite : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) return;
    store = open_store(db->url());
  }
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<Store> store;
};

TEST_P(StoreSuite, SharesAndPplnsWindow) {
  store->insert_shares({share("A", 4, 100), share("B", 2, 200), share("A", 1, 300), share("C", 8, 900)});
  EXPECT_EQ(store->count_shares(), 4u);
  // Newest first from t=300: A(1), B(2), A(4) reach 5 after three shares.
  const auto w = pplns_window(*store, 300, 3);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].address, "A");
  EXPECT_DOUBLE_EQ(w[0].difficulty, 1);
  EXPECT_EQ(w[1].address, "B");
  EXPECT_EQ(pplns_window(*store, 300, 100).size(), 3u);  // all shares up to t=300, not C's later one
  EXPECT_TRUE(pplns_window(*store, 50, 100).empty());
}

TEST_P(StoreSuite, WindowStartAndDeletingSharesOutsideIt) {
  store->insert_shares({share("A", 4, 100), share("B", 2, 200), share("A", 1, 300), share("C", 8, 900)});
  EXPECT_FALSE(window_start_id(*store, 300, 100).has_value());  // not filled: every share counts
  EXPECT_FALSE(window_start_id(*store, 50, 1).has_value());     // no shares that early at all
  const auto start = window_start_id(*store, 300, 3);           // A(1), B(2): B's share starts it
  ASSERT_TRUE(start.has_value());
  EXPECT_LT(*window_start_id(*store, 300, 5), *start);  // a wider window reaches further back

  // Only shares both before the window and older than the age limit go, oldest first, in batches.
  EXPECT_EQ(store->delete_shares(*start, 50, 10), 0u);  // the one candidate (t=100) is too young
  EXPECT_EQ(store->delete_shares(*start, 1000, 10), 1u);
  EXPECT_EQ(store->count_shares(), 3u);
  const auto window = pplns_window(*store, 300, 100);  // the window itself is untouched
  ASSERT_EQ(window.size(), 2u);
  EXPECT_EQ(window[0].address, "A");
  EXPECT_EQ(window[1].address, "B");

  store->insert_shares({share("D", 1, 10), share("D", 1, 20), share("D", 1, 30)});  // late-written, newest ids
  EXPECT_EQ(store->delete_shares(INT64_MAX, 25, 1), 1u);  // the limit holds
  EXPECT_EQ(store->delete_shares(INT64_MAX, 25, 1), 1u);
  EXPECT_EQ(store->delete_shares(INT64_MAX, 25, 1), 0u);
  EXPECT_EQ(store->count_shares(), 4u);
}

TEST_P(StoreSuite, WindowWalkIsOneSnapshotAndNeverBlocksShareWrites) {
  std::vector<mining::AcceptedShare> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(share(i % 2 ? "A" : "B", 1, 100 + i));
  store->insert_shares(batch);
  int seen[2] = {0, 0};
  bool wrote_during_walk = false;
  store->walk_window(1000, 1e9, 2, [&](int pass, const WindowShare&) {
    if (pass == 0 && seen[0] == 0) {
      // A share recorded while the window is being read (on another thread, as the share
      // recorder does) must not wait for the walk to finish.
      auto write = std::async(std::launch::async, [&] { store->insert_shares({share("late", 5, 500)}); });
      wrote_during_walk = write.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
      if (wrote_during_walk) write.get();
    }
    ++seen[pass];
  });
  EXPECT_TRUE(wrote_during_walk) << "a share write waited for the window reader";
  EXPECT_EQ(seen[0], 50);
  EXPECT_EQ(seen[1], 50);  // the second pass sees the same snapshot as the first
  EXPECT_EQ(pplns_window(*store, 1000, 1e9).size(), 51u);  // the next walk sees the late share
}

TEST_P(StoreSuite, BlocksMoveFromPendingOnceOnly) {
  EXPECT_TRUE(store->insert_block(block("aa", 101)));
  EXPECT_FALSE(store->insert_block(block("aa", 101)));
  EXPECT_TRUE(store->insert_block(block("bb", 102)));
  EXPECT_EQ(store->blocks(std::string("pending"), 10).size(), 2u);
  store->set_confirmations("aa", 42);
  EXPECT_EQ(store->blocks(std::nullopt, 10).back().confirmations, 42);

  EXPECT_TRUE(store->credit_block("aa", {{"A", 300}, {"B", 200}}, 7));
  EXPECT_FALSE(store->credit_block("aa", {{"A", 300}}, 0));  // idempotent: never credited twice
  EXPECT_TRUE(store->orphan_block("bb"));
  EXPECT_FALSE(store->credit_block("bb", {{"A", 1}}, 0));  // an orphan is never credited
  EXPECT_FALSE(store->orphan_block("aa"));
  const auto balances = store->balances();
  EXPECT_EQ(balances.at("A"), 300);
  EXPECT_EQ(balances.at("B"), 200);
  EXPECT_EQ(balances.at(kPoolAccount), 7);
  EXPECT_EQ(store->blocks(std::string("confirmed"), 10).size(), 1u);
  EXPECT_EQ(store->blocks(std::string("orphaned"), 10).size(), 1u);
  const auto changes = store->balance_changes("A", 10);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].reason, "share_reward");
  EXPECT_EQ(changes[0].reference, "aa");
}

TEST_P(StoreSuite, FoundBlockKeepsTheWholeBlockAndItsAnswerMovesForwardOnly) {
  BlockRecord b = block("cc", 7);
  b.status = "found";
  b.finder_address = "A";
  b.share_hash = "dd";
  b.header_hex = std::string(160, '1');
  b.block_hex = b.header_hex + "01ff";
  ASSERT_TRUE(store->insert_block(b));
  EXPECT_FALSE(store->insert_block(b));  // recorded once
  const auto listed = store->blocks(std::string("found"), 10);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].finder_address, "A");
  EXPECT_EQ(listed[0].share_hash, "dd");
  EXPECT_EQ(listed[0].header_hex, b.header_hex);
  EXPECT_TRUE(listed[0].block_hex.empty());  // listings leave the (large) block out
  EXPECT_EQ(store->block_hex("cc"), b.block_hex);
  EXPECT_EQ(store->block_hex("nope"), std::nullopt);
  EXPECT_TRUE(store->set_block_submitted("cc", "submitted", "connection refused"));
  EXPECT_EQ(store->blocks(std::string("submitted"), 10).at(0).submit_reason, "connection refused");
  EXPECT_TRUE(store->set_block_submitted("cc", "pending", ""));
  EXPECT_FALSE(store->set_block_submitted("cc", "rejected", "late answer"));  // never goes back
  EXPECT_EQ(store->blocks(std::string("pending"), 10).size(), 1u);
  EXPECT_FALSE(store->set_block_submitted("unknown", "pending", ""));
}

TEST_P(StoreSuite, PaymentsReserveCompleteAndRelease) {
  store->insert_block(block("cc", 103));
  store->credit_block("cc", {{"A", 1000}, {"B", 500}}, 0);
  const int64_t id = store->create_payment({{"A", 1000}, {"B", 500}}, "payout-");
  auto pending = store->payments(std::string("pending"), 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].comment, "payout-" + std::to_string(id));
  EXPECT_EQ(pending[0].amounts.at("A"), 1000);
  EXPECT_EQ(store->balances().at("A"), 0);  // reserved
  store->release_payment(id);
  EXPECT_EQ(store->balances().at("A"), 1000);
  store->release_payment(id);  // twice is harmless
  EXPECT_EQ(store->balances().at("A"), 1000);
  const int64_t id2 = store->create_payment({{"A", 600}}, "payout-");
  EXPECT_FALSE(store->payments(std::string("pending"), 10).at(0).fee_sats);  // no fee before it is sent
  store->complete_payment(id2, "txid2", 141);
  const auto sent = store->payments(std::string("sent"), 10);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].txid, "txid2");
  EXPECT_EQ(sent[0].fee_sats, 141);  // the network fee is on the books
  EXPECT_EQ(store->ledger_snapshot().payments.back().fee_sats, 141);
  EXPECT_EQ(store->balances().at("A"), 400);
  EXPECT_THROW(store->create_payment({{"B", 501}}, "payout-"), StoreError);  // more than the balance
  EXPECT_EQ(store->balances().at("B"), 500);                                 // nothing reserved
  EXPECT_TRUE(store->payments(std::string("pending"), 10).empty());
  std::vector<std::string> reasons;
  for (const auto& c : store->balance_changes("A", 10)) reasons.push_back(c.reason);
  EXPECT_EQ(reasons, (std::vector<std::string>{"payout", "correction", "payout", "share_reward"}));
}

// The payment methods both backends share (store/payment_queries): the listing with and without
// a status filter, and a sent payment followed page by page until final, its trouble kept and
// counted. Only sent payments are followed or marked.
TEST_P(StoreSuite, SentPaymentsAreListedAndFollowedUntilFinal) {
  store->insert_block(block("aa", 1));
  ASSERT_TRUE(store->credit_block("aa", {{"A", 3000}, {"B", 3000}}, 0));
  std::vector<int64_t> sent;
  for (int i = 0; i < 3; ++i) sent.push_back(store->create_payment({{"A", 1000}, {"B", 10 + i}}, "p-"));
  const int64_t pending = store->create_payment({{"B", 1}}, "p-");
  for (int i = 0; i < 3; ++i) store->complete_payment(sent[static_cast<size_t>(i)], "tx" + std::to_string(i), 100);

  const auto newest = store->payments(std::nullopt, 2);  // newest first, at most 2
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].id, pending);
  EXPECT_EQ(newest[0].status, "pending");
  EXPECT_EQ(newest[1].id, sent[2]);
  EXPECT_EQ(newest[1].amounts, (std::map<std::string, int64_t>{{"A", 1000}, {"B", 12}}));
  EXPECT_EQ(store->payments(std::string("sent"), 1).at(0).id, sent[2]);
  EXPECT_EQ(store->payments(std::string("sent"), 10).size(), 3u);

  auto page = store->payments_to_follow(0, 2);  // oldest first, after an id
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id, sent[0]);
  EXPECT_EQ(page[0].txid, "tx0");
  EXPECT_EQ(page[1].id, sent[1]);
  page = store->payments_to_follow(sent[1], 2);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, sent[2]);

  store->set_payment_trouble(sent[0], "conflicted", 5000);
  store->set_payment_trouble(sent[1], "missing", 6000);  // within the grace: not yet trouble
  store->set_payment_trouble(pending, "evicted", 7000);  // not sent: unchanged
  EXPECT_EQ(store->count_payments_in_trouble(), 1);
  page = store->payments_to_follow(0, 10);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].trouble, "conflicted");
  EXPECT_EQ(page[0].trouble_ms, 5000);
  EXPECT_EQ(page[1].trouble, "missing");
  EXPECT_EQ(page[2].trouble, "");

  store->set_payment_final(sent[0], 9000);  // final: trouble cleared, no longer followed
  store->set_payment_final(pending, 9000);  // not sent: unchanged
  EXPECT_EQ(store->count_payments_in_trouble(), 0);
  store->complete_payment(pending, "tx3", 100);
  page = store->payments_to_follow(0, 10);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].id, sent[1]);
  EXPECT_EQ(page[2].id, pending);
  EXPECT_EQ(page[2].trouble, "");
}

TEST_P(StoreSuite, SettingsAndReopenKeepData) {
  EXPECT_EQ(store->setting("x"), std::nullopt);
  store->set_setting("x", "1");
  store->set_setting("x", "2");
  store->insert_shares({share("A", 1, 1)});
  store.reset();
  store = open_store(db->url());  // migrations are not run twice; data survives
  EXPECT_EQ(store->setting("x"), "2");
  EXPECT_EQ(store->setting("schema_version"), std::to_string(migrations(GetParam()).size()));
  EXPECT_EQ(store->count_shares(), 1u);
  EXPECT_TRUE(store->try_acquire_leadership());
}

TEST_P(StoreSuite, OlderSchemaIsUpgradedInPlace) {
  store->insert_shares({share("A", 1, 1)});
  ASSERT_TRUE(store->insert_block(block("aa", 101)));
  ASSERT_TRUE(store->credit_block("aa", {{"A", 300}}, 7));
  store->set_setting("schema_version", "1");  // as a database written by the first release
  store.reset();
  store = open_store(db->url());  // runs only the later steps (step 1 again would fail: tables exist)
  EXPECT_EQ(store->setting("schema_version"), std::to_string(migrations(GetParam()).size()));
  EXPECT_EQ(store->count_shares(), 1u);
  EXPECT_EQ(store->balances().at("A"), 300);
  EXPECT_EQ(store->credits_from_blocks_above(100).at("A"), 300);
  EXPECT_TRUE(store->credits_from_blocks_above(101).empty());
}

TEST_P(StoreSuite, BatchOfManyShares) {
  std::vector<mining::AcceptedShare> batch;
  for (int i = 0; i < 2500; ++i) batch.push_back(share(i % 2 ? "A" : "B", 0.5, i));
  store->insert_shares(batch);
  EXPECT_EQ(store->count_shares(), 2500u);
}

TEST_P(StoreSuite, TheFirstWriterOfASettingWins) {
  auto other = open_store(db->url());  // another instance on the same database
  EXPECT_EQ(store->set_setting_if_absent("wallet_identity", "wallet A"), "wallet A");
  EXPECT_EQ(other->set_setting_if_absent("wallet_identity", "wallet B"), "wallet A");
  EXPECT_EQ(other->setting("wallet_identity"), "wallet A");
}

TEST_P(StoreSuite, CompletingAPaymentThatIsNoLongerPendingIsRefused) {
  store->insert_block(block("aa", 1));
  ASSERT_TRUE(store->credit_block("aa", {{"A", 4000}}, 1000));
  const int64_t id = store->create_payment({{"A", 4000}}, "p-");
  store->release_payment(id);  // e.g. another leader found no send and gave the money back
  try {
    store->complete_payment(id, "txid-of-a-late-send", 100);
    FAIL() << "a released payment was completed";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("no longer pending"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store->payments(std::string("released"), 10).size(), 1u);
  EXPECT_EQ(store->balances().at("A"), 4000);
}

TEST_P(StoreSuite, ASchemaNewerThanThisBinaryIsRefused) {
  const std::string url = db->url();
  store.reset();
  db->execute("UPDATE settings SET value = '999' WHERE key = 'schema_version'");
  try {
    open_store(url);
    FAIL() << "opened a database migrated by a newer poold";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("version 999, newer than this poold"), std::string::npos) << e.what();
  }
}

TEST_P(StoreSuite, AShareIsStoredOnceWhateverRepeatsIt) {
  const auto a = share("A", 1, 100), b = share("B", 1, 200), c = share("C", 1, 300);
  // Twice in one batch: one row, the second reported.
  EXPECT_EQ(store->insert_shares({a, b, a}), (std::vector<size_t>{2}));
  EXPECT_EQ(store->count_shares(), 2u);
  // Again in a later batch (a replay, or a batch retried after its COMMIT reply was lost).
  EXPECT_EQ(store->insert_shares({c, a, b}), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(store->count_shares(), 3u);
  // From another Store on the same database (another pool instance).
  auto other = open_store(db->url());
  EXPECT_EQ(other->insert_shares({b}), (std::vector<size_t>{0}));
  EXPECT_EQ(other->insert_shares({share("D", 1, 400)}), (std::vector<size_t>{}));
  EXPECT_EQ(store->count_shares(), 4u);
  std::vector<std::string> addresses;
  for (const auto& s : pplns_window(*store, 1000, 1e9)) addresses.push_back(s.address);
  EXPECT_EQ(addresses, (std::vector<std::string>{"D", "C", "B", "A"}));
}

TEST_P(StoreSuite, UpgradeRemovesDuplicatesAnOldDatabaseAlreadyHolds) {
  // A database as the release before the share key left it: every step before it, then a replay
  // attack's copies of one share.
  store.reset();
  auto fresh = test::database_for_test(GetParam());
  const auto steps = migrations(GetParam());
  size_t keyed = 0;
  while (keyed < steps.size() && steps[keyed].find("UNIQUE INDEX IF NOT EXISTS shares_hash") == std::string::npos) ++keyed;
  ASSERT_LT(keyed, steps.size());
  fresh->execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  for (size_t i = 0; i < keyed; ++i) fresh->execute(steps[i]);
  fresh->execute("INSERT INTO settings (key, value) VALUES ('schema_version', '" + std::to_string(keyed) + "')");
  const std::string aa = std::string(62, '0') + "aa", bb = std::string(62, '0') + "bb";
  const std::string row = "INSERT INTO shares (address, worker, difficulty, height, created_ms, is_block, hash) VALUES ";
  fresh->execute(row + "('honest', 'honest.rig', 1, 1, 100, 0, '" + aa + "')");     // id 1
  fresh->execute(row + "('replayer', 'r.rig', 1, 1, 200, 0, '" + aa + "')");       // id 2: a copy
  fresh->execute(row + "('other', 'other.rig', 1, 1, 300, 0, '" + bb + "')");      // id 3
  fresh->execute(row + "('replayer', 'r.rig', 1, 1, 400, 0, '" + aa + "')");       // id 4: another copy
  store = open_store(fresh->url());
  EXPECT_EQ(store->setting("schema_version"), std::to_string(steps.size()));
  std::vector<std::pair<int64_t, std::string>> kept;
  store->walk_window(1000, 1e9, 1, [&](int, const WindowShare& s) { kept.emplace_back(s.id, std::string(s.address)); });
  EXPECT_EQ(kept, (std::vector<std::pair<int64_t, std::string>>{{3, "other"}, {1, "honest"}}));  // the first copy stays
  auto again = share("x", 1, 500);
  again.hash = bitcoin::Uint256::from_hex(aa);
  EXPECT_EQ(store->insert_shares({again}), (std::vector<size_t>{0}));  // and the key now holds
  store.reset();
  db = std::move(fresh);
}

TEST_P(StoreSuite, ExtranoncePrefixLeases) {
  auto other = open_store(db->url());
  const int a = store->lease_extranonce_prefix("instance-a", 60000);
  const int b = other->lease_extranonce_prefix("instance-b", 60000);
  EXPECT_NE(a, b);  // a live lease is never handed to another instance
  EXPECT_EQ(store->lease_extranonce_prefix("instance-a", 60000), a);  // asking again keeps it
  EXPECT_TRUE(store->renew_extranonce_prefix("instance-a", a));
  EXPECT_FALSE(store->renew_extranonce_prefix("instance-a", b));  // not its own
  // instance-a stops renewing and is seen as dead (ttl 0: any heartbeat is too old): its prefix,
  // the lowest, is taken over, and instance-a learns so at its next renewal.
  const int c = other->lease_extranonce_prefix("instance-c", 0);
  ASSERT_EQ(a, 0);
  EXPECT_EQ(c, a);
  EXPECT_FALSE(store->renew_extranonce_prefix("instance-a", a));
  // A graceful stop gives the prefix back at once.
  other->release_extranonce_prefix("instance-c", c);
  EXPECT_EQ(store->lease_extranonce_prefix("instance-d", 60000), c);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreSuite, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(StoreUrl, UnsupportedUrlIsNamed) {
  try {
    open_store("mysql://x");
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("mysql://x"), std::string::npos);
  }
  EXPECT_THROW(open_store("sqlite:////nonexistent-dir/x.db"), StoreError);
}

TEST(PostgresLeadership, OnlyOneInstanceLeadsAndTheOtherTakesOver) {
  auto db = test::database_for_test("postgresql");
  if (!db) return;
  auto first = open_store(db->url());
  auto second = open_store(db->url());
  EXPECT_TRUE(first->try_acquire_leadership());
  EXPECT_FALSE(second->try_acquire_leadership());
  EXPECT_TRUE(first->try_acquire_leadership());  // keeps it
  first.reset();                                  // a graceful close hands the lock over at once
  EXPECT_TRUE(second->try_acquire_leadership());
}

TEST(PostgresLeadership, LeaderWhoseSessionDiesStepsDownAndAnotherTakesOver) {
  auto db = test::database_for_test("postgresql");
  if (!db) return;
  auto first = open_store(db->url());
  auto second = open_store(db->url());
  ASSERT_TRUE(first->try_acquire_leadership());
  ASSERT_FALSE(second->try_acquire_leadership());
  // The server drops the leader's session (restart, network cut, idle killer): the lock goes with it.
  db->execute(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  // The old leader must notice on its next check instead of trusting its stale flag.
  EXPECT_FALSE(first->try_acquire_leadership());
  // The backend exits asynchronously after the signal; the other instance takes over once it has.
  EXPECT_TRUE(test::eventually([&] { return second->try_acquire_leadership(); }, std::chrono::seconds(10)));
  EXPECT_FALSE(first->try_acquire_leadership());  // and the old one does not grab it back
}

TEST(SqliteExclusiveUse, ASecondPoolOnTheSameFileIsRefusedWithAClearMessage) {
  auto db = test::make_sqlite_database();
  auto first = open_store(db->url());
  first->claim_exclusive_use();
  auto second = open_store(db->url());  // reading (poold --audit) is fine
  try {
    second->claim_exclusive_use();
    FAIL() << "two pools serve from one SQLite file";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("already in use by poold (pid " + std::to_string(::getpid()) + ")"),
              std::string::npos)
        << e.what();
  }
  first.reset();  // the first one stops: the file is free again
  EXPECT_NO_THROW(second->claim_exclusive_use());
}

// A leader that lost its lock mid-step (its session died; it has not looked yet) must not move
// money after another instance took over: its writes are fenced by the leadership epoch.
TEST(PostgresLeadership, AnOldLeaderIsFencedOutOfMoneyWrites) {
  auto db = test::database_for_test("postgresql");
  if (!db) return;
  auto first = open_store(db->url());
  auto second = open_store(db->url());
  ASSERT_TRUE(first->try_acquire_leadership());
  EXPECT_EQ(first->leadership_epoch(), 1);
  first->insert_block(block("aa", 1));
  first->insert_block(block("bb", 2));
  ASSERT_TRUE(first->credit_block("aa", {{"A", 4000}}, 1000));
  const int64_t id = first->create_payment({{"A", 4000}}, "p-");  // reserved; about to sendmany

  db->execute(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  ASSERT_TRUE(test::eventually([&] { return second->try_acquire_leadership(); }, std::chrono::seconds(10)));
  EXPECT_EQ(second->leadership_epoch(), 2);

  // The old leader carries on with the step it was in: every money write is refused.
  EXPECT_THROW(first->complete_payment(id, "tx-of-old-leader", 100), FencedError);
  EXPECT_THROW(first->release_payment(id), FencedError);
  EXPECT_THROW(first->credit_block("bb", {{"A", 4000}}, 1000), FencedError);
  EXPECT_THROW(first->orphan_block("bb"), FencedError);
  EXPECT_THROW(first->create_payment({{"A", 1}}, "p-"), FencedError);
  EXPECT_EQ(second->payments(std::string("pending"), 10).size(), 1u);
  EXPECT_EQ(second->blocks(std::string("pending"), 10).size(), 1u);

  // The new leader settles it.
  second->release_payment(id);
  EXPECT_EQ(second->balances().at("A"), 4000);
  EXPECT_TRUE(second->credit_block("bb", {{"A", 4000}}, 1000));
}

// Crediting a sent payout back (poold --recredit-payment) is a money write like the others: an
// old leader is fenced out, and the new one credits it back once.
TEST(PostgresLeadership, AReversalIsFencedAndCreditsBackOnce) {
  auto db = test::database_for_test("postgresql");
  if (!db) return;
  auto first = open_store(db->url());
  auto second = open_store(db->url());
  ASSERT_TRUE(first->try_acquire_leadership());
  first->insert_block(block("aa", 1));
  ASSERT_TRUE(first->credit_block("aa", {{"A", 4000}}, 1000));
  const int64_t id = first->create_payment({{"A", 4000}}, "p-");
  first->complete_payment(id, "tx1", 100);
  db->execute(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  ASSERT_TRUE(test::eventually([&] { return second->try_acquire_leadership(); }, std::chrono::seconds(10)));

  EXPECT_THROW(first->reverse_payment(id), FencedError);
  EXPECT_EQ(second->balances().at("A"), 0);
  EXPECT_TRUE(second->reverse_payment(id));
  EXPECT_FALSE(second->reverse_payment(id));  // already reversed: nothing credited twice
  EXPECT_EQ(second->balances().at("A"), 4000);
  EXPECT_EQ(second->payments(std::string("reversed"), 10).size(), 1u);
  EXPECT_TRUE(second->payments_to_follow(0, 10).empty());  // no longer followed
}

TEST(PostgresLeadership, EachNewLeaderTakesTheNextEpoch) {
  auto db = test::database_for_test("postgresql");
  if (!db) return;
  auto first = open_store(db->url());
  EXPECT_EQ(first->leadership_epoch(), 0);
  ASSERT_TRUE(first->try_acquire_leadership());
  ASSERT_TRUE(first->try_acquire_leadership());  // still the same term
  EXPECT_EQ(first->leadership_epoch(), 1);
  first.reset();
  auto second = open_store(db->url());
  ASSERT_TRUE(second->try_acquire_leadership());
  EXPECT_EQ(second->leadership_epoch(), 2);
}

}  // namespace
}  // namespace pool::store
