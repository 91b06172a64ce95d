// Payout runs against the test node's wallet with balances credited by hand: the network fee
// comes out of the outputs and is on the books, at most N outputs per transaction, dust is never
// attempted, a wallet holding exactly the items' sum pays, and a refused batch (locked wallet,
// sendmany error) is logged and counted once and writes at most one (released) payment until
// something changes. Each ends with the ledger audit passing.
#include <gtest/gtest.h>

#include "accounting/accounting_service.h"
#include "accounting/ledger_audit.h"
#include "accounting/payouts.h"
#include "stratum/log_capture.h"
#include "support/eventually.h"
#include "support/mining_helpers.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

const std::string kP2pkh = "mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz";
constexpr int64_t kFixedFee = 10000, kFeePerOutput = 3100;  // the test node's fee model

class PayoutBatches : public ::testing::Test {
 protected:
  void SetUp() override {
    f.rpc->call("generatetoaddress", "[110,\"" + f.wallet_address + "\"]");  // spendable funds
    store = store::open_store(db->url());
    options.network = bitcoin::Network::kRegtest;
    options.min_payout_sats = 10000;
    options.comment_prefix = "batch payout ";
    options.refused = &refused;
    options.refusals = &refusals;
  }

  /// `n` new addresses (the test node's P2WPKH), sorted as the payout orders them.
  std::vector<std::string> addresses(int n) {
    std::vector<std::string> out;
    f.test_node->service().with_chain([&](auto&, auto& w, auto&) {
      for (int i = 0; i < n; ++i) out.push_back(w.new_address());
    });
    std::sort(out.begin(), out.end());
    return out;
  }

  /// A block credited by hand: `credits` to the miners, 1,000 sat to the pool, nothing else.
  void credit(const std::map<std::string, int64_t>& credits) {
    store::BlockRecord b;
    b.hash = "block" + std::to_string(++blocks);
    b.height = blocks;
    b.reward_sats = 1000;
    for (const auto& [a, v] : credits) b.reward_sats += v;
    ASSERT_TRUE(store->insert_block(b));
    ASSERT_TRUE(store->credit_block(b.hash, credits, 1000));
  }

  std::pair<int64_t, int> paid_to(const std::string& address) {
    std::pair<int64_t, int> paid;
    f.test_node->service().with_chain([&](auto&, auto& w, auto&) { paid = w.paid_to(address); });
    return paid;
  }

  std::string audit_failures() {
    const auto report = run_ledger_audit(*store, *f.node, options.comment_prefix);
    std::string out;
    for (const auto& line : report.lines()) out += line + "\n";
    return report.ok() ? "" : out;
  }

  size_t rows(const char* status) { return store->payments(std::string(status), 1000).size(); }

  test::NodeFixture f;
  std::unique_ptr<test::TestDatabase> db = test::make_sqlite_database();
  std::unique_ptr<store::Store> store;
  std::atomic<uint64_t> refused{0};
  PayoutRefusals refusals;
  PayoutOptions options;
  int blocks = 0;
};

TEST_F(PayoutBatches, MoreRecipientsThanMaxOutputsGoInSeveralTransactionsWithTheirFeesOnTheBooks) {
  const auto miners = addresses(5);
  std::map<std::string, int64_t> owed;
  for (size_t i = 0; i < miners.size(); ++i) owed[miners[i]] = 100000000 + static_cast<int64_t>(i);
  ASSERT_NO_FATAL_FAILURE(credit(owed));
  options.max_outputs = 2;
  const PayoutReport report = run_payouts(*store, *f.node, options);
  EXPECT_EQ(report.error, "");
  EXPECT_EQ(report.recipients, 5);
  ASSERT_EQ(report.txids.size(), 3u);  // 2 + 2 + 1 outputs
  const auto sent = store->payments(std::string("sent"), 10);
  ASSERT_EQ(sent.size(), 3u);
  std::set<std::string> comments, txids;
  int64_t fees = 0;
  for (const auto& p : sent) {
    EXPECT_LE(p.amounts.size(), 2u);
    comments.insert(p.comment);
    txids.insert(p.txid);
    ASSERT_TRUE(p.fee_sats);
    EXPECT_EQ(*p.fee_sats, kFixedFee + kFeePerOutput * static_cast<int64_t>(p.amounts.size()));
    int64_t outputs = 0, items = 0;
    for (const auto& [address, sats] : p.amounts) {
      outputs += paid_to(address).first;
      items += sats;
      EXPECT_EQ(paid_to(address).second, 1) << address;
    }
    EXPECT_EQ(outputs + *p.fee_sats, items);  // the fee came out of this batch's outputs
    fees += *p.fee_sats;
  }
  EXPECT_EQ(comments.size(), 3u);
  EXPECT_EQ(txids.size(), 3u);
  EXPECT_EQ(report.fee_sats, fees);
  for (const auto& m : miners) EXPECT_EQ(store->balances().at(m), 0) << m;
  EXPECT_EQ(audit_failures(), "");
}

TEST_F(PayoutBatches, ARefusedBatchStopsTheRunAndTheRestWait) {
  const auto miners = addresses(3);
  // The middle one alone cannot pay a transaction's fee (13,100 sat): the wallet's dry run of its
  // batch (walletcreatefundedpsbt) refuses it before anything is written.
  ASSERT_NO_FATAL_FAILURE(credit({{miners[0], 100000000}, {miners[1], 12000}, {miners[2], 200000000}}));
  options.max_outputs = 1;
  const PayoutReport report = run_payouts(*store, *f.node, options);
  EXPECT_TRUE(report.refused);
  EXPECT_NE(report.error.find("too small to pay the fee"), std::string::npos) << report.error;
  EXPECT_NE(report.error.find("nothing was written"), std::string::npos) << report.error;
  EXPECT_EQ(report.recipients, 1);
  EXPECT_EQ(store->balances().at(miners[0]), 0);
  EXPECT_EQ(store->balances().at(miners[1]), 12000);      // never reserved
  EXPECT_EQ(store->balances().at(miners[2]), 200000000);  // waits: never attempted
  EXPECT_EQ(paid_to(miners[2]).second, 0);
  EXPECT_EQ(rows("sent"), 1u);
  EXPECT_EQ(rows("released"), 0u);
  EXPECT_EQ(store->balance_changes(miners[1], 100).size(), 1u);  // its credit only
  // Ten more runs: the dry run is asked again each time (the refusal may pass once fees fall or
  // the balance grows), but nothing is written, and it is logged and counted once.
  for (int round = 0; round < 10; ++round) EXPECT_TRUE(run_payouts(*store, *f.node, options).refused) << round;
  EXPECT_EQ(store->payments(std::nullopt, 100).size(), 1u);
  EXPECT_EQ(store->balance_changes(miners[1], 100).size(), 1u);
  EXPECT_EQ(refused.load(), 1u);
  // The balance grows: the same dry run now passes, and the rest are paid.
  ASSERT_NO_FATAL_FAILURE(credit({{miners[1], 100000}}));
  const PayoutReport later = run_payouts(*store, *f.node, options);
  EXPECT_EQ(later.error, "");
  EXPECT_EQ(later.recipients, 2);
  EXPECT_EQ(store->balances().at(miners[2]), 0);
  EXPECT_EQ(audit_failures(), "");
}

TEST_F(PayoutBatches, DustIsNeverAttempted) {
  const auto miners = addresses(2);
  // Below the dust limit of its output type: P2PKH 546, P2WPKH 294.
  ASSERT_NO_FATAL_FAILURE(credit({{kP2pkh, 545}, {miners[0], 293}, {miners[1], 100000000}}));
  options.min_payout_sats = 1;
  test::LogCapture log;
  const PayoutReport report = run_payouts(*store, *f.node, options);
  EXPECT_EQ(report.error, "");
  EXPECT_EQ(report.recipients, 1);
  EXPECT_EQ(store->balances().at(kP2pkh), 545);
  EXPECT_EQ(store->balances().at(miners[0]), 293);
  EXPECT_EQ(paid_to(kP2pkh).second, 0);
  EXPECT_EQ(store->payments(std::string("sent"), 10).at(0).amounts.size(), 1u);
  int warnings = 0;
  for (const auto& line : log.lines()) warnings += line.find("below the dust limit") != std::string::npos;
  EXPECT_EQ(warnings, 1);
  EXPECT_EQ(audit_failures(), "");
}

TEST_F(PayoutBatches, AWalletHoldingExactlyTheItemsSumPays) {
  const auto miners = addresses(1);
  ASSERT_NO_FATAL_FAILURE(credit({{miners[0], 100000000}}));
  // The operator spends everything else elsewhere: the wallet keeps exactly what the books owe
  // (the miner's amount and the pool's 1,000 sat), far less than the miner's amount plus a fee.
  f.node->send_many({{kP2pkh, f.node->get_balance_sats() - 100001000}}, "operator");
  ASSERT_EQ(f.node->get_balance_sats(), 100001000);
  ASSERT_LT(1000, kFixedFee + kFeePerOutput);
  const PayoutReport report = run_payouts(*store, *f.node, options);
  EXPECT_EQ(report.error, "");
  EXPECT_EQ(report.recipients, 1);
  EXPECT_EQ(paid_to(miners[0]).first, 100000000 - kFixedFee - kFeePerOutput);
  EXPECT_EQ(f.node->get_balance_sats(), 1000);  // the pool's own share, still owed to it
  EXPECT_EQ(audit_failures(), "");
}

// Twenty payout rounds against a wallet that refuses: first sendmany itself refuses, then the
// operator encrypts the wallet (locked). Each distinct refusal is logged and counted once and
// writes at most one payment (released); after unlocking, the payout goes out.
TEST_F(PayoutBatches, ARefusalIsLoggedOnceAndNotRetriedUntilSomethingChanges) {
  const auto miners = addresses(1);
  ASSERT_NO_FATAL_FAILURE(credit({{miners[0], 100000000}}));
  test::LogCapture log;
  f.rpc->call("test_sendmanyerror", "[-6,\"Insufficient funds\"]");
  for (int round = 0; round < 10; ++round) {
    const auto report = run_payouts(*store, *f.node, options);
    EXPECT_TRUE(report.refused) << round;
    EXPECT_NE(report.error.find("Insufficient funds"), std::string::npos) << report.error;
  }
  EXPECT_EQ(rows("released"), 1u);
  EXPECT_EQ(refused.load(), 1u);
  EXPECT_EQ(store->balance_changes(miners[0], 100).size(), 3u);  // credit, reserve, give back: once

  f.rpc->call("test_sendmanyerror", "[]");
  f.rpc->call("encryptwallet", "[\"secret\"]");
  for (int round = 0; round < 10; ++round) {
    const auto report = run_payouts(*store, *f.node, options);
    EXPECT_TRUE(report.refused) << round;
    EXPECT_NE(report.error.find("the wallet is locked"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("walletpassphrase"), std::string::npos) << report.error;
  }
  EXPECT_EQ(store->payments(std::nullopt, 100).size(), 1u);  // checked before anything is written
  EXPECT_EQ(refused.load(), 2u);
  int refusals_logged = 0;
  for (const auto& line : log.lines()) refusals_logged += line.find("payout refused") != std::string::npos;
  EXPECT_EQ(refusals_logged, 2);

  f.rpc->call("walletpassphrase", "[\"secret\",3600]");
  const auto paid = run_payouts(*store, *f.node, options);
  EXPECT_EQ(paid.error, "");
  EXPECT_EQ(paid.recipients, 1);
  EXPECT_EQ(rows("sent"), 1u);
  EXPECT_EQ(rows("released"), 1u);
  EXPECT_EQ(refused.load(), 2u);
  EXPECT_EQ(store->balances().at(miners[0]), 0);
  EXPECT_EQ(audit_failures(), "");
}

// The accounting thread retries a refused payout run, but the refusal is logged and counted once,
// nothing is written while the wallet stays locked, and the payout goes out once it is unlocked.
TEST_F(PayoutBatches, TheAccountingServiceRetriesALockedWalletQuietlyAndPaysOnceUnlocked) {
  const auto miners = addresses(1);
  ASSERT_NO_FATAL_FAILURE(credit({{miners[0], 100000000}}));
  f.rpc->call("encryptwallet", "[\"secret\"]");
  AccountingOptions o;
  o.payouts = options;
  o.payment_interval_hours = 1e-9;  // a payout run on every tick
  o.payout_retry = std::chrono::milliseconds(0);
  o.tick = std::chrono::milliseconds(5);
  test::LogCapture log;
  AccountingService service(*store, *f.node, o);
  service.start();
  ASSERT_TRUE(test::eventually([&] { return service.payout_runs() >= 20; }));
  EXPECT_TRUE(service.payout_failing());
  EXPECT_TRUE(store->payments(std::nullopt, 100).empty());
  f.rpc->call("walletpassphrase", "[\"secret\",3600]");
  ASSERT_TRUE(test::eventually([&] { return store->balances().at(miners[0]) == 0; }));
  service.stop();
  EXPECT_EQ(refused.load(), 1u);
  int refusals_logged = 0, locked_mentions = 0;
  for (const auto& line : log.lines()) {
    refusals_logged += line.find("payout refused") != std::string::npos;
    locked_mentions += line.find("wallet is locked") != std::string::npos;
  }
  EXPECT_EQ(refusals_logged, 1);
  EXPECT_EQ(locked_mentions, 1);
  EXPECT_EQ(rows("sent"), 1u);
  EXPECT_EQ(store->payments(std::nullopt, 100).size(), 1u);
  EXPECT_EQ(audit_failures(), "");
}

TEST_F(PayoutBatches, SendmanysLockedAnswerGetsTheLockedMessage) {
  const auto miners = addresses(1);
  ASSERT_NO_FATAL_FAILURE(credit({{miners[0], 100000000}}));
  // getwalletinfo said unlocked, but the wallet locked before sendmany (its timeout ran out).
  f.rpc->call("test_sendmanyerror", "[-13,\"Error: Please enter the wallet passphrase with walletpassphrase first.\"]");
  const auto report = run_payouts(*store, *f.node, options);
  EXPECT_TRUE(report.refused);
  EXPECT_NE(report.error.find("the wallet is locked"), std::string::npos) << report.error;
  EXPECT_EQ(rows("released"), 1u);
  EXPECT_EQ(audit_failures(), "");
}

TEST_F(PayoutBatches, TheTestNodeRefusesSendmanyOnALockedWalletAsCoreDoes) {
  f.rpc->call("encryptwallet", "[\"secret\"]");
  try {
    f.node->send_many({{kP2pkh, 100000}}, "x");
    FAIL() << "a locked wallet sent";
  } catch (const node::RpcError& e) {
    EXPECT_EQ(e.code(), -13);
    EXPECT_EQ(e.rpc_message(), "Error: Please enter the wallet passphrase with walletpassphrase first.");
  }
  EXPECT_EQ(f.node->wallet_unlocked_until(), 0);
  f.rpc->call("walletpassphrase", "[\"secret\",60]");
  EXPECT_GT(f.node->wallet_unlocked_until().value_or(0), 0);
  EXPECT_FALSE(f.node->send_many({{kP2pkh, 100000}}, "x").empty());
  f.rpc->call("walletlock", "[]");
  EXPECT_EQ(f.node->wallet_unlocked_until(), 0);
}

// Bitcoin Core's subtractfeefrom: the fee divided equally among the listed outputs, the first
// of them paying what does not divide.
TEST_F(PayoutBatches, TheTestNodeSharesTheFeeAsCoreDoes) {
  const auto to = addresses(3);
  const std::string txid = f.node->send_many({{to[0], 1000000}, {to[1], 2000000}, {to[2], 3000000}}, "split");
  const int64_t fee = kFixedFee + 3 * kFeePerOutput;  // 19,300: 6,433 each and 1 left over
  EXPECT_EQ(-f.node->get_transaction(txid)->fee_sats, fee);
  EXPECT_EQ(paid_to(to[0]).first, 1000000 - fee / 3 - fee % 3);
  EXPECT_EQ(paid_to(to[1]).first, 2000000 - fee / 3);
  EXPECT_EQ(paid_to(to[2]).first, 3000000 - fee / 3);
}

}  // namespace
}  // namespace pool::accounting
