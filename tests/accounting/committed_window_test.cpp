// Committed PPLNS windows against the strict test node, on SQLite and PostgreSQL: a found block's
// window is committed once and credited exactly at maturity, whatever happens to the shares (late
// writes, pruning) or to the fee in between; a block without one gets one at maturity; the ledger
// audit catches a changed leaf or a moved credit, naming the block; and the root travels on-chain:
// the carrier is learned from our next block's coinbase, and carried again when that block is
// orphaned. Every money scenario ends with the ledger audit.
#include <gtest/gtest.h>

#include <mutex>

#include "accounting/accounting_service.h"
#include "accounting/block_ledger.h"
#include "accounting/maturity.h"
#include "accounting/share_retention.h"
#include "accounting/window_carrier.h"
#include "accounting/window_commit.h"
#include "accounting/window_tree.h"
#include "bitcoin/address.h"
#include "bitcoin/merkle.h"
#include "bitcoin/target.h"
#include "mining/window_commitment_output.h"
#include "support/eventually.h"
#include "support/ledger_check.h"
#include "support/mining_helpers.h"
#include "support/shares.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

const std::string kMinerA = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
const std::string kMinerB = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";
const std::string kLate = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx";
constexpr const char* kPrefix = "test payout ";

mining::AcceptedShare share(const std::string& address, double difficulty, int64_t ms) {
  return test::share_at(address, difficulty, ms);
}

/// `block` with a PPLN output carrying `root` after the pool's output, mined again.
bitcoin::Block carrying(bitcoin::Block block, const bitcoin::Uint256& root) {
  auto& outputs = block.transactions.at(0).outputs;
  outputs.insert(outputs.begin() + 1, bitcoin::TxOut{0, mining::window_commitment_script(root)});
  block.header.merkle_root = bitcoin::block_merkle_root(block);
  const auto target = *bitcoin::target_from_bits(block.header.bits);
  for (block.header.nonce = 0; !bitcoin::hash_meets_target(block.header.hash(), target); ++block.header.nonce) {
  }
  return block;
}

bitcoin::Uint256 root_of(const store::BlockWindow& w) {
  return bitcoin::Uint256::from_internal(bitcoin::from_hex(w.root));
}

class CommittedWindow : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) GTEST_SKIP() << GetParam() << " is not available";
    store = store::open_store(db->url());
  }

  // The pool finds a block paying the wallet; its coinbase carries `root` when given.
  std::string pool_block(const std::string& finder, int64_t found_ms,
                         const std::optional<bitcoin::Uint256>& root = std::nullopt) {
    auto found = test::find_block(*f.node, f.wallet_script, finder, found_ms);
    if (root) found.block = carrying(found.block, *root);
    const auto record = found_block_record(found.found, found.block, "pplns");
    EXPECT_TRUE(store->insert_block(record));
    const auto result = mining::submit_block(*f.node, found.block, found.found.job->height);
    EXPECT_EQ(result.status, mining::SubmitStatus::kAccepted) << result.reason;
    EXPECT_TRUE(store->set_block_submitted(record.hash, status_after_submit(result), result.reason));
    coinbase_txid[record.hash] = found.block.transactions[0].txid().hex();
    return record.hash;
  }
  int commit_windows(double fee_percentage = 1.0) {
    return commit_found_windows(*store, options.pplns_window, fee_percentage, store::now_ms());
  }
  void mine(int n) { f.rpc->call("generatetoaddress", "[" + std::to_string(n) + ",\"" + f.wallet_address + "\"]"); }
  std::string audit_failures() {
    const auto report = run_ledger_audit(*store, *f.node, kPrefix);
    std::string out;
    for (const auto& line : report.lines()) out += line + "\n";
    return report.ok() ? "" : out;
  }
  std::map<std::string, int64_t> credits_of(const std::string& block) {
    std::map<std::string, int64_t> out;
    for (const auto& address : {kMinerA, kMinerB, kLate, std::string(store::kPoolAccount)}) {
      for (const auto& c : store->balance_changes(address, 100)) {
        if (c.reference == block) out[address] += c.delta_sats;
      }
    }
    return out;
  }

  test::NodeFixture f;
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  std::map<std::string, std::string> coinbase_txid;
  MaturityOptions options{"pplns", 1.0, 1e12, 100, 100};  // a window wide enough for every share
};

TEST_P(CommittedWindow, TheFoundBlocksWindowIsCommittedOnceWithItsLeavesAndRoot) {
  store->insert_shares({share(kMinerA, 3, 1000), share(kMinerB, 1, 1200), share(kMinerA, 1, 1300)});
  const std::string block = pool_block(kMinerA, 1500);
  EXPECT_EQ(commit_windows(), 1);
  EXPECT_EQ(commit_windows(), 0);  // committed once
  const auto w = store->block_window(block);
  ASSERT_TRUE(w);
  const auto leaves = store->window_leaves(block, 0, 100);
  ASSERT_EQ(leaves.size(), 2u);
  // Sorted by address: "bcrt1q..." before "mzK9...". Largest difficulty 3: ilogb 1, weight d x 2^89.
  EXPECT_EQ(leaves[0].address, kMinerA);
  EXPECT_EQ(leaves[0].worker, kMinerA + ".rig");
  EXPECT_EQ(leaves[0].shares, 2);
  EXPECT_EQ(leaves[0].weight, u128_to_decimal(static_cast<unsigned __int128>(4) << 89));
  EXPECT_EQ(leaves[1].address, kMinerB);
  EXPECT_EQ(leaves[1].weight, u128_to_decimal(static_cast<unsigned __int128>(1) << 89));
  EXPECT_EQ(leaves[0].first_share_id + 1, leaves[1].first_share_id);  // A's first share, then B's
  EXPECT_EQ(leaves[0].last_share_id, leaves[1].first_share_id + 1);
  std::vector<bitcoin::Uint256> hashes;
  for (const auto& l : leaves) hashes.push_back(bitcoin::Uint256::from_internal(bitcoin::from_hex(l.hash)));
  EXPECT_EQ(w->root, bitcoin::merkle_root(hashes).internal_hex());
  EXPECT_EQ(w->total_weight, u128_to_decimal(static_cast<unsigned __int128>(5) << 89));
  EXPECT_EQ(w->fee_ppm, 10000);
  EXPECT_EQ(w->reward_sats, 5000000000);
  EXPECT_EQ(audit_failures(), "");
}

// A share accepted before the block but written to the database after its window was committed
// (a slow group commit, a database outage) is not in the window, and is not credited.
TEST_P(CommittedWindow, ALateShareWriteDoesNotChangeWhatIsCredited) {
  store->insert_shares({share(kMinerA, 1, 1000), share(kMinerB, 1, 1200)});
  const std::string block = pool_block(kMinerA, 1500);
  ASSERT_EQ(commit_windows(), 1);
  store->insert_shares({share(kLate, 1, 1400)});  // created before the block, stored after the commit
  mine(100);
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  EXPECT_EQ(credits_of(block), (std::map<std::string, int64_t>{
                                   {kMinerA, 2475000000}, {kMinerB, 2475000000}, {store::kPoolAccount, 50000000}}));
  EXPECT_FALSE(store->balances().count(kLate));
  EXPECT_EQ(audit_failures(), "");
}

// A share's difficulty changed in the database after the commitment (by hand, or a bug) is not
// what the block is credited from: the committed leaves are.
TEST_P(CommittedWindow, AShareChangedInTheDatabaseAfterTheCommitChangesNothing) {
  store->insert_shares({share(kMinerA, 1, 1000), share(kMinerB, 1, 1200)});
  const std::string block = pool_block(kMinerA, 1500);
  ASSERT_EQ(commit_windows(), 1);
  db->execute("UPDATE shares SET difficulty = 1000 WHERE address = '" + kMinerB + "'");
  mine(100);
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  EXPECT_EQ(credits_of(block), (std::map<std::string, int64_t>{
                                   {kMinerA, 2475000000}, {kMinerB, 2475000000}, {store::kPoolAccount, 50000000}}));
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(CommittedWindow, AFeeChangeBetweenFindAndMaturityDoesNotChangeWhatIsCredited) {
  store->insert_shares({share(kMinerA, 1, 1000)});
  const std::string block = pool_block(kMinerA, 1500);
  ASSERT_EQ(commit_windows(1.0), 1);  // the fee when the block was found: 1%
  options.fee_percentage = 10;       // raised before the block matured
  mine(100);
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  EXPECT_EQ(credits_of(block), (std::map<std::string, int64_t>{{kMinerA, 4950000000}, {store::kPoolAccount, 50000000}}));
  EXPECT_EQ(audit_failures(), "");
}

// Retention may delete the shares of a window once it is committed; the credit is the same.
TEST_P(CommittedWindow, PruningTheWindowsSharesDoesNotChangeWhatIsCredited) {
  store->insert_shares({share(kMinerA, 1, 1000), share(kMinerB, 3, 1200)});
  const std::string block = pool_block(kMinerA, 1500);
  ASSERT_EQ(commit_windows(), 1);
  store->insert_shares({share(kLate, 100, 2000)});  // after the block: fills the next block's window
  const RetentionOptions retention{1, 2, 4, 10000, {}};
  EXPECT_EQ(prune_shares(*store, 1, retention, store::now_ms()).deleted, 2u);  // the committed window's shares
  EXPECT_EQ(store->count_shares(), 1u);
  mine(100);
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  EXPECT_EQ(credits_of(block), (std::map<std::string, int64_t>{
                                   {kMinerA, 1237500000}, {kMinerB, 3712500000}, {store::kPoolAccount, 50000000}}));
  EXPECT_EQ(audit_failures(), "");
}

// A block found before windows were committed (or whose window the leader had no time to commit)
// gets one when it matures, with the fee of that moment, and is credited from it.
TEST_P(CommittedWindow, ABlockWithoutAWindowGetsOneAtMaturity) {
  store->insert_shares({share(kMinerA, 1, 1000), share(kMinerB, 1, 1200)});
  const std::string block = pool_block(kMinerA, 1500);
  mine(100);
  options.fee_percentage = 2;
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  const auto w = store->block_window(block);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->fee_ppm, 20000);
  EXPECT_EQ(w->leaf_count, 2);
  EXPECT_EQ(credits_of(block), (std::map<std::string, int64_t>{
                                   {kMinerA, 2450000000}, {kMinerB, 2450000000}, {store::kPoolAccount, 100000000}}));
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(CommittedWindow, TheAuditCatchesAChangedLeafWeightNamingTheBlock) {
  store->insert_shares({share(kMinerA, 1, 1000), share(kMinerB, 1, 1200)});
  const std::string block = pool_block(kMinerA, 1500);
  ASSERT_EQ(commit_windows(), 1);
  mine(100);
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  ASSERT_EQ(audit_failures(), "");
  db->execute("UPDATE window_leaves SET weight = '1' WHERE address = '" + kMinerB + "'");
  const std::string failures = audit_failures();
  EXPECT_NE(failures.find("windows: FAILED"), std::string::npos) << failures;
  EXPECT_NE(failures.find("block " + block + ": committed window leaf 1"), std::string::npos) << failures;
  EXPECT_NE(failures.find("block " + block + ": " + kMinerA + " credited 2475000000 sat, its committed window gives"),
            std::string::npos)
      << failures;
}

// Moving satoshis from one miner to another keeps every sum (block credits = reward, balances =
// their changes); only the committed window shows that the credits are wrong.
TEST_P(CommittedWindow, TheAuditCatchesACreditMovedBetweenMinersNamingTheBlock) {
  store->insert_shares({share(kMinerA, 1, 1000), share(kMinerB, 1, 1200)});
  const std::string block = pool_block(kMinerA, 1500);
  ASSERT_EQ(commit_windows(), 1);
  mine(100);
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  ASSERT_EQ(audit_failures(), "");
  for (const auto& [address, delta] : {std::pair{kMinerA, -1000}, std::pair{kMinerB, 1000}}) {
    db->execute("UPDATE balance_changes SET delta_sats = delta_sats + " + std::to_string(delta) + " WHERE address = '" +
                address + "' AND reference = '" + block + "'");
    db->execute("UPDATE balances SET sats = sats + " + std::to_string(delta) + " WHERE address = '" + address + "'");
  }
  const std::string failures = audit_failures();
  EXPECT_NE(failures.find("blocks: ok"), std::string::npos) << failures;
  EXPECT_NE(failures.find("balances: ok"), std::string::npos) << failures;
  EXPECT_NE(failures.find("block " + block + ": " + kMinerB + " credited 2475001000 sat, its committed window gives "
                          "2475000000 sat"),
            std::string::npos)
      << failures;
}

// The root goes on-chain in our next block's coinbase; the carrier is recorded; when that block is
// orphaned the root is carried again, and recorded with the block that carries it then.
TEST_P(CommittedWindow, TheCarrierIsLearnedFromOurNextCoinbaseAndReplacedWhenOrphaned) {
  std::vector<std::optional<bitcoin::Uint256>> told;
  const auto tell = [&](std::optional<bitcoin::Uint256> r) { told.push_back(r); };
  WindowCarrier carrier;
  carrier.refresh(*store, true, tell);
  ASSERT_EQ(told, (std::vector<std::optional<bitcoin::Uint256>>{std::nullopt}));  // told once, at the start

  store->insert_shares({share(kMinerA, 1, 1000)});
  const std::string first = pool_block(kMinerA, 1500);
  ASSERT_EQ(commit_windows(), 1);
  carrier.refresh(*store, true, tell);
  const auto first_root = root_of(*store->block_window(first));
  ASSERT_EQ(told.back(), first_root);

  store->insert_shares({share(kMinerB, 1, 2000)});
  const std::string second = pool_block(kMinerB, 2500, first_root);
  ASSERT_EQ(commit_windows(), 1);
  carrier.refresh(*store, true, tell);
  auto w = store->block_window(first);
  EXPECT_EQ(w->commitment_block, second);
  EXPECT_EQ(w->commitment_txid, coinbase_txid[second]);
  const auto second_root = root_of(*store->block_window(second));
  EXPECT_EQ(told.back(), second_root);  // the first is on-chain: the second's root is next
  const size_t calls = told.size();
  carrier.refresh(*store, true, tell);
  EXPECT_EQ(told.size(), calls);  // told only when the answer changes

  // The second block loses a reorg and is orphaned: the first root is carried again (the
  // second's window will never be paid, so it is not carried).
  f.rpc->call("invalidateblock", "[\"" + second + "\"]");
  mine(3);
  options.orphan_depth = 2;
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  ASSERT_EQ(store->blocks(std::string("orphaned"), 10).at(0).hash, second);
  carrier.refresh(*store, true, tell);
  EXPECT_EQ(store->block_window(first)->commitment_block, "");
  EXPECT_EQ(told.back(), first_root);

  const std::string third = pool_block(kMinerA, 3500, first_root);
  carrier.refresh(*store, true, tell);
  w = store->block_window(first);
  EXPECT_EQ(w->commitment_block, third);
  EXPECT_EQ(w->commitment_txid, coinbase_txid[third]);
  EXPECT_EQ(told.back(), std::nullopt);  // the third's window is not committed yet: nothing to carry

  // A new leadership (restart) reads the live coinbases again and tells mining once.
  WindowCarrier restarted;
  std::vector<std::optional<bitcoin::Uint256>> told_again;
  restarted.refresh(*store, true, [&](auto r) { told_again.push_back(r); });
  EXPECT_EQ(told_again, (std::vector<std::optional<bitcoin::Uint256>>{std::nullopt}));
  EXPECT_EQ(audit_failures(), "");
}

// The leader's own loop: a found block's window is committed, its root handed to mining, and
// the next block carrying it is recorded, without a call from the test beyond the new tip.
TEST_P(CommittedWindow, TheLeadersLoopCommitsAndTellsMiningWhatToCarry) {
  std::mutex m;
  std::vector<std::optional<bitcoin::Uint256>> told;
  auto last = [&] {
    std::lock_guard lock(m);
    return told.empty() ? std::optional<std::optional<bitcoin::Uint256>>() : told.back();
  };
  AccountingOptions o;
  o.maturity = options;
  o.payment_interval_hours = 1e6;  // no payouts here
  o.tick = std::chrono::milliseconds(10);
  o.window_commit_delay = std::chrono::milliseconds(0);
  o.carry_window_root = [&](std::optional<bitcoin::Uint256> r) {
    std::lock_guard lock(m);
    told.push_back(r);
  };
  AccountingService service(*store, *f.node, o);
  service.start();
  EXPECT_TRUE(test::eventually([&] { return last() == std::optional<bitcoin::Uint256>(); }));

  store->insert_shares({share(kMinerA, 1, 1000)});
  const std::string first = pool_block(kMinerA, 1500);
  ASSERT_TRUE(test::eventually([&] { return store->block_window(first).has_value(); }));
  const auto first_root = root_of(*store->block_window(first));
  EXPECT_TRUE(test::eventually([&] { return last() == std::optional(std::optional(first_root)); }));

  const std::string second = pool_block(kMinerB, 2500, first_root);
  service.on_new_tip();
  EXPECT_TRUE(test::eventually([&] { return store->block_window(first)->commitment_block == second; }));
  ASSERT_TRUE(test::eventually([&] { return store->block_window(second).has_value(); }));
  const auto second_root = root_of(*store->block_window(second));
  EXPECT_TRUE(test::eventually([&] { return last() == std::optional(std::optional(second_root)); }));
  service.stop();
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(CommittedWindow, SoloCommitsNoWindowAndCarriesNothing) {
  std::mutex m;
  std::vector<std::optional<bitcoin::Uint256>> told;
  AccountingOptions o;
  o.maturity = options;
  o.maturity.scheme = "solo";
  o.payment_interval_hours = 1e6;
  o.tick = std::chrono::milliseconds(10);
  o.window_commit_delay = std::chrono::milliseconds(0);
  o.carry_window_root = [&](std::optional<bitcoin::Uint256> r) {
    std::lock_guard lock(m);
    told.push_back(r);
  };
  auto found = test::find_block(*f.node, bitcoin::address_to_script(kMinerA, bitcoin::Network::kRegtest), kMinerA, 1500);
  const auto record = found_block_record(found.found, found.block, "solo");
  ASSERT_TRUE(store->insert_block(record));
  AccountingService service(*store, *f.node, o);
  service.start();
  EXPECT_TRUE(test::eventually([&] {
    std::lock_guard lock(m);
    return !told.empty();
  }));
  service.on_new_tip();
  EXPECT_TRUE(test::eventually([&] { return service.is_leader(); }));
  service.stop();
  std::lock_guard lock(m);
  EXPECT_EQ(told, (std::vector<std::optional<bitcoin::Uint256>>{std::nullopt}));
  EXPECT_FALSE(store->block_window(record.hash));
  EXPECT_TRUE(store->block_windows(10).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, CommittedWindow, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
