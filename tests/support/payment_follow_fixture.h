#pragma once
// Test fixture: a strict test node whose wallet paid miner A one block's reward in one payout
// (payment `id`, transaction `txid`), on SQLite or PostgreSQL (the parameter); helpers to mine,
// to fault the payout's transaction, to follow it and to audit the books. With commit_fails() the
// payout's sendmany fails after the wallet committed it, leaving the payment pending.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "accounting/accounting_service.h"
#include "accounting/block_ledger.h"
#include "accounting/ledger_audit.h"
#include "accounting/maturity.h"
#include "accounting/payment_follower.h"
#include "accounting/payment_reversal.h"
#include "accounting/payouts.h"
#include "mining/block_submitter.h"
#include "support/eventually.h"
#include "support/mining_helpers.h"
#include "support/shares.h"
#include "support/test_databases.h"

namespace pool::accounting::test_follow {

const std::string kMinerA = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
constexpr int64_t kOwedA = 4950000000;  // one block's reward after the 1% fee
constexpr int kFinal = 3;               // payout_confirmations in these tests

/// Captures the log while alive, to count ALERT lines.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  int alerts() const {
    int n = 0;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) n += line.rfind("error ALERT", 0) == 0;  // an ERROR line
    return n;
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

class PaymentFollow : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) return;  // skipped (or failed in CI) by database_for_test
    store = store::open_store(db->url());
    // Miner A's share, the pool's block, 101 blocks on top: A is owed and the wallet can pay.
    store->insert_shares({test::share_at(kMinerA, 1, 1000)});
    const auto found = test::find_block(*f.node, f.wallet_script, kMinerA, 1500);
    const auto record = found_block_record(found.found, found.block, "pplns");
    ASSERT_TRUE(store->insert_block(record));
    const auto result = mining::submit_block(*f.node, found.block, found.found.job->height);
    ASSERT_EQ(result.status, mining::SubmitStatus::kAccepted);
    store->set_block_submitted(record.hash, status_after_submit(result), result.reason);
    mine(101);
    ASSERT_EQ(check_maturity(*store, *f.node, MaturityOptions{"pplns", 1.0, 1e12, 100, 100}), 1);
    PayoutOptions po;
    po.network = bitcoin::Network::kRegtest;
    po.comment_prefix = "test payout ";
    if (commit_fails()) {
      // Core's sendmany can fail after the transaction is in the wallet ("transaction commit failed").
      f.rpc->call("test_sendmanyerror", R"([-1, "Wallet db error, transaction commit failed", true])");
      const auto paid = run_payouts(*store, *f.node, po);
      f.rpc->call("test_sendmanyerror", "[]");
      ASSERT_TRUE(paid.outcome_unknown) << paid.error;
      const auto pending = store->payments(std::string("pending"), 10);
      ASSERT_EQ(pending.size(), 1u) << "the payment must stay pending: the wallet may have sent it";
      id = pending[0].id;
      const auto sends = f.node->find_sends_by_comment(pending[0].comment);
      ASSERT_EQ(sends.size(), 1u);
      txid = sends[0].txid;
    } else {
      const auto paid = run_payouts(*store, *f.node, po);
      ASSERT_EQ(paid.recipients, 1) << paid.error;
      txid = paid.txid;
      id = store->payments(std::string("sent"), 1).at(0).id;
    }
    ASSERT_EQ(store->balances().at(kMinerA), 0);
  }
  virtual bool commit_fails() const { return false; }

  void mine(int n) { f.rpc->call("generatetoaddress", "[" + std::to_string(n) + ",\"" + f.wallet_address + "\"]"); }
  void node_call(const std::string& method) { f.rpc->call(method, "[\"" + txid + "\"]"); }
  FollowOptions follow(std::chrono::milliseconds grace = std::chrono::milliseconds(0)) {
    FollowOptions o;
    o.confirmations = kFinal;
    o.evicted_grace = grace;
    o.in_trouble = &gauge;
    return o;
  }
  std::string audit_failures() {
    const auto report = run_ledger_audit(*store, *f.node, "test payout ");
    std::string out;
    for (const auto& line : report.lines()) out += line + "\n";
    return report.ok() ? "" : out;
  }
  int64_t reversal_credits() {
    int64_t n = 0;
    for (const auto& c : store->balance_changes(kMinerA, 100)) n += c.reason == "payout_reversed";
    return n;
  }

  test::NodeFixture f;
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  std::string txid;
  int64_t id = 0;
  std::atomic<int64_t> gauge{-1};
};

}  // namespace pool::accounting::test_follow
