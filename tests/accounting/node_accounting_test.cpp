// The money path against the strict test node: blocks by two miners mature after 100 blocks and
// are credited by PPLNS; a block lost to a reorg is orphaned and never credited; payouts pay
// each miner once from the node's wallet.
#include <gtest/gtest.h>

#include "accounting/block_ledger.h"
#include "accounting/ledger_audit.h"
#include "accounting/maturity.h"
#include "accounting/payouts.h"
#include "bitcoin/address.h"
#include "mining/job_builder.h"
#include "support/mining_helpers.h"
#include "support/shares.h"
#include "support/test_databases.h"
#include "util/json.h"

namespace pool::accounting {
namespace {

const std::string kMinerA = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
const std::string kMinerB = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";

mining::AcceptedShare share(const std::string& address, double difficulty, int64_t ms) {
  return test::share_at(address, difficulty, ms);
}

class NodeAccounting : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) return;
    store = store::open_store(db->url());
  }
  // The pool finds a block paying the wallet (the pool address); the finder's share is recorded.
  std::string pool_block(const std::string& finder, int64_t found_ms) {
    const auto found = test::find_block(*f.node, f.wallet_script, finder, found_ms);
    const auto record = found_block_record(found.found, found.block, "pplns");
    EXPECT_TRUE(store->insert_block(record));
    const auto result = mining::submit_block(*f.node, found.block, found.found.job->height);
    EXPECT_EQ(result.status, mining::SubmitStatus::kAccepted);
    EXPECT_TRUE(store->set_block_submitted(record.hash, status_after_submit(result), result.reason));
    return result.hash.hex();
  }

  // Miner A's one share, a pool block after it, and `more` blocks paying `to` on top: credited to A
  // at 100 confirmations (4,950,000,000 sat after the 1% fee).
  void credit_a_block_to_a(int more, const std::string& to) {
    store->insert_shares({share(kMinerA, 1, 1000)});
    pool_block(kMinerA, 1500);
    f.rpc->call("generatetoaddress", "[" + std::to_string(more) + ",\"" + to + "\"]");
    ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  }
  static PayoutOptions test_payouts() {
    PayoutOptions po;
    po.network = bitcoin::Network::kRegtest;
    po.comment_prefix = "test payout ";
    return po;
  }

  // The ledger audit every money-path test ends with; returns its lines for failure messages.
  std::string audit_failures() {
    const auto report = run_ledger_audit(*store, *f.node, "test payout ");
    std::string out;
    for (const auto& line : report.lines()) out += line + "\n";
    return report.ok() ? "" : out;
  }

  test::NodeFixture f;
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  MaturityOptions options{"pplns", 1.0, 1e12, 100, 100};  // a window wide enough for every share
};

TEST_P(NodeAccounting, TwoMinersCreditedAndOrphanNeverCredited) {
  store->insert_shares({share(kMinerA, 3, 1000), share(kMinerB, 1, 2000)});
  const std::string first = pool_block(kMinerA, 2500);
  store->insert_shares({share(kMinerA, 1, 3000), share(kMinerB, 1, 4000)});
  const std::string second = pool_block(kMinerB, 4500);
  store->insert_shares({share(kMinerA, 5, 5000)});
  const std::string third = pool_block(kMinerA, 5500);

  // The third block is reorganized away: another branch becomes the best chain. It stays pending
  // (its branch could still win) until the best chain is 100 blocks above it.
  f.rpc->call("invalidateblock", "[\"" + third + "\"]");
  f.rpc->call("generatetoaddress", "[2,\"" + f.wallet_address + "\"]");
  EXPECT_EQ(check_maturity(*store, *f.node, options), 0);
  EXPECT_EQ(store->blocks(std::string("pending"), 10).at(0).hash, third);
  EXPECT_EQ(store->blocks(std::string("pending"), 10).at(0).confirmations, -1);
  EXPECT_TRUE(store->balances().empty());  // nothing credited before maturity

  f.rpc->call("generatetoaddress", "[96,\"" + f.wallet_address + "\"]");  // tip 100: first block 100 confirmations, second 99
  EXPECT_EQ(check_maturity(*store, *f.node, options), 1);                 // only the first matured
  f.rpc->call("generatetoaddress", "[1,\"" + f.wallet_address + "\"]");
  EXPECT_EQ(check_maturity(*store, *f.node, options), 1);
  EXPECT_EQ(check_maturity(*store, *f.node, options), 0);  // crediting happens once

  // Block 1: 4,950,000,000 split 3:1. Block 2: window A 4, B 2 (A's later share is after it).
  const auto balances = store->balances();
  EXPECT_EQ(balances.at(kMinerA), 3712500000LL + 3300000000LL);
  EXPECT_EQ(balances.at(kMinerB), 1237500000LL + 1650000000LL);
  EXPECT_EQ(balances.at(store::kPoolAccount), 2 * 50000000);
  EXPECT_EQ(store->blocks(std::string("confirmed"), 10).size(), 2u);

  // Payout: once the wallet can spend the coinbases (101 confirmations) it pays both miners.
  // The best chain is now 100 blocks above the third block: orphaned for good.
  f.rpc->call("generatetoaddress", "[2,\"" + f.wallet_address + "\"]");
  EXPECT_EQ(check_maturity(*store, *f.node, options), 1);
  EXPECT_EQ(store->blocks(std::string("orphaned"), 10).at(0).hash, third);
  EXPECT_EQ(store->blocks(std::string("pending"), 10).size(), 0u);
  PayoutOptions po;
  po.min_payout_sats = 100000;
  po.network = bitcoin::Network::kRegtest;
  po.comment_prefix = "test payout ";
  const auto report = run_payouts(*store, *f.node, po);
  EXPECT_TRUE(report.error.empty()) << report.error;
  EXPECT_EQ(report.recipients, 2);
  const auto paid_a = util::parse_json(util::to_json(f.rpc->call("test_paidto", "[\"" + kMinerA + "\"]")));
  // The network fee (the test node's 10,000 + 3,100 per output) is shared by the two miners.
  const auto sent = store->payments(std::string("sent"), 1).at(0);
  EXPECT_EQ(sent.fee_sats, 16200);
  EXPECT_EQ(paid_a["amount_sats"].GetInt64(), 7012500000 - 8100);
  EXPECT_EQ(paid_a["outputs"].GetInt(), 1);
  EXPECT_EQ(store->balances().at(kMinerA), 0);
  EXPECT_EQ(store->balances().at(store::kPoolAccount), 100000000);  // the fee stays
  EXPECT_EQ(run_payouts(*store, *f.node, po).recipients, 0);         // nothing left to pay
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(NodeAccounting, CreditsWaitUntilTheWalletCanSpendTheCoinbase) {
  store->insert_shares({share(kMinerA, 1, 1000)});
  pool_block(kMinerA, 1500);
  f.rpc->call("generatetoaddress", "[99,\"" + f.wallet_address + "\"]");  // 100 confirmations: credited
  EXPECT_EQ(check_maturity(*store, *f.node, options), 1);
  EXPECT_EQ(store->balances().at(kMinerA), 4950000000);
  PayoutOptions po;
  po.network = bitcoin::Network::kRegtest;
  // The wallet can spend a coinbase only at 101 confirmations: the credit waits, nothing is written.
  const auto early = run_payouts(*store, *f.node, po);
  EXPECT_EQ(early.recipients, 0);
  EXPECT_EQ(early.error, "");
  EXPECT_TRUE(store->payments(std::nullopt, 10).empty());
  f.rpc->call("generatetoaddress", "[1,\"" + f.wallet_address + "\"]");
  const auto paid = run_payouts(*store, *f.node, po);  // one block later it is paid, once
  EXPECT_EQ(paid.recipients, 1) << paid.error;
  EXPECT_EQ(paid.paid_sats, 4950000000);
  EXPECT_EQ(run_payouts(*store, *f.node, po).recipients, 0);
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(NodeAccounting, ShortWalletWritesNothingAndIsRetriedLater) {
  store->insert_shares({share(kMinerA, 1, 1000)});
  pool_block(kMinerA, 1500);
  f.rpc->call("generatetoaddress", "[100,\"" + f.wallet_address + "\"]");
  EXPECT_EQ(check_maturity(*store, *f.node, options), 1);
  // The operator spends the wallet down to 10 BTC elsewhere.
  const int64_t spendable = f.node->get_balance_sats();
  ASSERT_GT(spendable, 4950000000);
  f.node->send_many({{kMinerB, spendable - 1000000000}}, "operator");
  PayoutOptions po;
  po.network = bitcoin::Network::kRegtest;
  const auto report = run_payouts(*store, *f.node, po);
  EXPECT_NE(report.error.find("Insufficient funds"), std::string::npos) << report.error;
  EXPECT_EQ(store->balances().at(kMinerA), 4950000000);
  EXPECT_TRUE(store->payments(std::nullopt, 10).empty());  // nothing written, reserved or released
  for (const auto& change : store->balance_changes(kMinerA, 10)) EXPECT_EQ(change.reason, "share_reward");
  f.rpc->call("generatetoaddress", "[1,\"" + f.wallet_address + "\"]");  // another 50 BTC becomes spendable
  EXPECT_EQ(run_payouts(*store, *f.node, po).recipients, 1);  // retried later, paid once
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(NodeAccounting, InvalidAddressIsNotPaid) {
  store->insert_shares({share("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 1, 1000)});
  pool_block("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 1500);
  f.rpc->call("generatetoaddress", "[101,\"" + f.wallet_address + "\"]");
  check_maturity(*store, *f.node, options);
  PayoutOptions po;
  po.network = bitcoin::Network::kRegtest;
  EXPECT_EQ(run_payouts(*store, *f.node, po).recipients, 0);  // a mainnet address on regtest
  EXPECT_EQ(store->balances().at("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), 4950000000);
  EXPECT_EQ(audit_failures(), "");
}

// A payout the wallet has not seen may still be on its way (its sendmany queued in the node, or
// sent by a leader that just lost its lock): it is given back only after the grace period.
TEST_P(NodeAccounting, AnUnseenPayoutIsReleasedOnlyAfterTheGrace) {
  ASSERT_NO_FATAL_FAILURE(credit_a_block_to_a(101, f.wallet_address));
  const int64_t id = store->create_payment({{kMinerA, 4950000000}}, "test payout ");  // then the process died
  PayoutOptions po = test_payouts();
  po.release_grace = std::chrono::hours(1);
  const auto young = reconcile_payouts(*store, *f.node, po);
  EXPECT_EQ(young.reconciled_waiting, 1);
  EXPECT_EQ(young.reconciled_released, 0);
  EXPECT_EQ(store->payments(std::string("pending"), 10).at(0).id, id);
  EXPECT_EQ(run_payouts(*store, *f.node, po).recipients, 0);  // the reserved balance is not paid meanwhile
  po.release_grace = std::chrono::milliseconds(0);             // (as if the hour had passed)
  EXPECT_EQ(reconcile_payouts(*store, *f.node, po).reconciled_released, 1);
  EXPECT_EQ(run_payouts(*store, *f.node, po).recipients, 1);
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(NodeAccounting, ALeaderThatLostItsLockSendsNothing) {
  ASSERT_NO_FATAL_FAILURE(credit_a_block_to_a(101, f.wallet_address));
  PayoutOptions po = test_payouts();
  po.still_leading = [] { return false; };
  const auto report = run_payouts(*store, *f.node, po);
  EXPECT_NE(report.error.find("leadership moved before sendmany"), std::string::npos) << report.error;
  const auto paid = util::parse_json(util::to_json(f.rpc->call("test_paidto", "[\"" + kMinerA + "\"]")));
  EXPECT_EQ(paid["amount_sats"].GetInt64(), 0);
  EXPECT_EQ(store->payments(std::string("pending"), 10).size(), 1u);  // for the new leader to settle
  po.still_leading = nullptr;
  EXPECT_EQ(reconcile_payouts(*store, *f.node, po).reconciled_released, 1);
  EXPECT_EQ(run_payouts(*store, *f.node, po).recipients, 1);
  EXPECT_EQ(audit_failures(), "");
}

// With no pool fee the pool holds nothing of its own, so the network fee must come out of the
// payouts: it is on the books, and the wallet still covers every balance to the satoshi.
TEST_P(NodeAccounting, WithoutAPoolFeeThePayoutFeeComesOutOfThePayoutsAndThePoolStaysSolvent) {
  options.fee_percentage = 0;
  store->insert_shares({share(kMinerA, 1000, 1000), share(kMinerB, 1, 1100)});
  pool_block(kMinerA, 1500);
  // Later blocks pay someone else: the wallet holds exactly this block's reward.
  f.rpc->call("generatetoaddress", "[101,\"" + kMinerB + "\"]");
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  const int64_t a = store->balances().at(kMinerA), b = store->balances().at(kMinerB);
  PayoutOptions po = test_payouts();
  po.min_payout_sats = b + 1;  // B waits for the next run
  const auto report = run_payouts(*store, *f.node, po);
  ASSERT_EQ(report.recipients, 1) << report.error;
  const auto sent = store->payments(std::string("sent"), 1).at(0);
  EXPECT_EQ(sent.fee_sats, 13100);  // the test node's 10,000 + 3,100 per output
  const auto paid_a = util::parse_json(util::to_json(f.rpc->call("test_paidto", "[\"" + kMinerA + "\"]")));
  EXPECT_EQ(paid_a["amount_sats"].GetInt64(), a - 13100);
  EXPECT_EQ(store->balances().at(kMinerB), b);
  EXPECT_GE(f.node->get_balance_sats(), b);  // B's balance is still in the wallet
  EXPECT_EQ(audit_failures(), "");
}

// Tampering with the books after the fact is caught, naming the block and the account.
TEST_P(NodeAccounting, AuditCatchesAChangedCreditAndNamesTheBlock) {
  store->insert_shares({share(kMinerA, 1, 1000), share(kMinerB, 1, 1200)});
  const std::string block = pool_block(kMinerA, 1500);
  f.rpc->call("generatetoaddress", "[100,\"" + f.wallet_address + "\"]");
  ASSERT_EQ(check_maturity(*store, *f.node, options), 1);
  ASSERT_EQ(audit_failures(), "");
  db->execute("UPDATE balance_changes SET delta_sats = delta_sats + 1000 WHERE address = '" + kMinerA + "'");
  const std::string failures = audit_failures();
  EXPECT_NE(failures.find("block " + block), std::string::npos) << failures;  // credits exceed the reward
  EXPECT_NE(failures.find("account " + kMinerA), std::string::npos) << failures;  // balance != its changes
}

TEST_P(NodeAccounting, AuditCatchesAPayoutSentTwiceAndAnEmptiedWallet) {
  ASSERT_NO_FATAL_FAILURE(credit_a_block_to_a(101, f.wallet_address));
  PayoutOptions po = test_payouts();
  ASSERT_EQ(run_payouts(*store, *f.node, po).recipients, 1);
  ASSERT_EQ(audit_failures(), "");
  // The same payout reaches the wallet a second time (what a resent sendmany would do).
  const auto sent = store->payments(std::string("sent"), 1).at(0);
  f.node->send_many(sent.amounts, sent.comment);
  EXPECT_NE(audit_failures().find("sent it 2 times"), std::string::npos);
}

TEST_P(NodeAccounting, AuditCatchesBooksThatOweMoreThanTheWalletHolds) {
  // Later blocks pay someone else, so the wallet holds only our block's reward (no immature ones).
  ASSERT_NO_FATAL_FAILURE(credit_a_block_to_a(101, kMinerB));
  ASSERT_EQ(audit_failures(), "");
  // The operator spends the miners' money elsewhere.
  f.node->send_many({{kMinerB, f.node->get_balance_sats() - 100000}}, "operator");
  EXPECT_NE(audit_failures().find("solvency: FAILED"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, NodeAccounting, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
