// A sent payout is followed until it is final, and its troubles reach the operator: against the
// strict test node, a payment reaches payout_confirmations and is no longer followed; one dropped
// from the mempool raises one ALERT and clears when it is broadcast again; one conflicted by
// another spend raises an ALERT, may be credited back only once the conflict is
// payout_confirmations deep, and is credited back once. Each ends with the ledger audit passing.
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

namespace pool::accounting {
namespace {

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
    const auto paid = run_payouts(*store, *f.node, po);
    ASSERT_EQ(paid.recipients, 1) << paid.error;
    txid = paid.txid;
    id = store->payments(std::string("sent"), 1).at(0).id;
    ASSERT_EQ(store->balances().at(kMinerA), 0);
  }

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

TEST_P(PaymentFollow, ASentPaymentIsFollowedUntilItHasPayoutConfirmations) {
  PaymentFollower follower(follow());
  auto r = follower.run_once(*store, *f.node);
  EXPECT_EQ(r.checked, 1);  // in the mempool: healthy, not final
  EXPECT_EQ(r.finalized, 0);
  mine(kFinal - 1);
  r = follower.run_once(*store, *f.node);
  EXPECT_EQ(r.checked, 1);
  EXPECT_EQ(r.finalized, 0);  // kFinal - 1 confirmations
  mine(1);
  r = follower.run_once(*store, *f.node);
  EXPECT_EQ(r.finalized, 1);
  EXPECT_TRUE(store->payments_to_follow(0, 10).empty());
  EXPECT_EQ(follower.run_once(*store, *f.node).checked, 0);  // final: no longer asked about
  EXPECT_EQ(gauge.load(), 0);
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(PaymentFollow, AnEvictedPaymentAlertsOnceAndClearsWhenBroadcastAgain) {
  LogCapture log;
  node_call("test_evicttransaction");
  // Within the grace it is only noted (a reorg or a node restart empties the mempool briefly).
  EXPECT_EQ(PaymentFollower(follow(std::chrono::hours(1))).run_once(*store, *f.node).alerts, 0);
  EXPECT_EQ(gauge.load(), 0);
  PaymentFollower follower(follow());  // (as if the grace had passed)
  EXPECT_EQ(follower.run_once(*store, *f.node).alerts, 1);
  EXPECT_EQ(gauge.load(), 1);
  EXPECT_EQ(follower.run_once(*store, *f.node).alerts, 0);  // one alert per state change, not per round
  EXPECT_EQ(PaymentFollower(follow()).run_once(*store, *f.node).alerts, 0);  // nor per restart
  EXPECT_EQ(gauge.load(), 1);
  EXPECT_EQ(log.alerts(), 1) << log.text();
  EXPECT_NE(log.text().find("ALERT payout " + std::to_string(id) + ": its transaction " + txid), std::string::npos);
  EXPECT_EQ(audit_failures(), "");  // still the wallet's live send: nothing to correct in the books

  node_call("test_rebroadcast");
  const auto back = follower.run_once(*store, *f.node);
  EXPECT_EQ(back.cleared, 1);
  EXPECT_EQ(gauge.load(), 0);
  mine(kFinal);
  EXPECT_EQ(follower.run_once(*store, *f.node).finalized, 1);
  EXPECT_EQ(log.alerts(), 1);
  EXPECT_EQ(store->balances().at(kMinerA), 0);  // never resent, never credited back
  std::pair<int64_t, int> paid;
  f.test_node->service().with_chain([&](auto&, auto& wallet, auto&) { paid = wallet.paid_to(kMinerA); });
  const auto sent = store->payments(std::string("sent"), 10);
  ASSERT_EQ(sent.size(), 1u);
  // Paid once, by the one transaction, less the network fee it shared.
  EXPECT_EQ(paid, std::make_pair(kOwedA - sent[0].fee_sats.value_or(-1), 1));
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(PaymentFollow, AConflictedPaymentIsCreditedBackOnlyOnceTheConflictIsFinal) {
  LogCapture log;
  f.rpc->call("test_conflicttransaction", "[\"" + txid + "\"]");  // mined one block deep
  PaymentFollower follower(follow());
  EXPECT_EQ(follower.run_once(*store, *f.node).alerts, 1);
  EXPECT_EQ(gauge.load(), 1);
  EXPECT_NE(log.text().find("is conflicted"), std::string::npos) << log.text();

  const auto early = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(early.status, ReversalOutcome::Status::kRefused);
  EXPECT_NE(early.message.find("only 1 blocks deep"), std::string::npos) << early.message;
  EXPECT_EQ(store->balances().at(kMinerA), 0);

  mine(kFinal - 1);
  EXPECT_EQ(follower.run_once(*store, *f.node).alerts, 0);  // still the same trouble
  const auto done = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(done.status, ReversalOutcome::Status::kReversed) << done.message;
  EXPECT_EQ(store->balances().at(kMinerA), kOwedA);
  const auto again = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(again.status, ReversalOutcome::Status::kAlreadyReversed) << again.message;
  EXPECT_EQ(store->balances().at(kMinerA), kOwedA);  // credited once
  EXPECT_EQ(reversal_credits(), 1);
  EXPECT_EQ(store->payments(std::string("reversed"), 10).size(), 1u);

  follower.run_once(*store, *f.node);
  EXPECT_EQ(gauge.load(), 0);  // settled by the operator's decision
  EXPECT_EQ(log.alerts(), 1);
  EXPECT_EQ(audit_failures(), "");
}

TEST_P(PaymentFollow, AnAbandonedPaymentAlertsAndMayBeCreditedBackButALiveOneMayNot) {
  const auto live = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(live.status, ReversalOutcome::Status::kRefused);
  EXPECT_NE(live.message.find("may still pay"), std::string::npos) << live.message;
  node_call("test_evicttransaction");
  node_call("abandontransaction");
  LogCapture log;
  PaymentFollower follower(follow());
  EXPECT_EQ(follower.run_once(*store, *f.node).alerts, 1);
  EXPECT_NE(log.text().find("was abandoned"), std::string::npos) << log.text();
  EXPECT_EQ(recredit_payment(*store, *f.node, id, kFinal).status, ReversalOutcome::Status::kReversed);
  EXPECT_EQ(store->balances().at(kMinerA), kOwedA);
  EXPECT_EQ(audit_failures(), "");
}

// The audit names a payment marked reversed while its transaction pays the miners after all.
TEST_P(PaymentFollow, TheAuditNamesAReversedPaymentWhoseTransactionConfirmed) {
  mine(1);
  ASSERT_EQ(audit_failures(), "");
  db->execute("UPDATE payments SET status = 'reversed' WHERE id = " + std::to_string(id));
  const std::string failures = audit_failures();
  EXPECT_NE(failures.find("payment " + std::to_string(id) + " (reversed)"), std::string::npos) << failures;
  EXPECT_NE(failures.find(txid + " is live"), std::string::npos) << failures;
}

// The leader's loop does it: the gauge rises while the payout is evicted, and the payment becomes
// final once it is broadcast again and confirmed.
TEST_P(PaymentFollow, TheLeaderFollowsSentPayoutsInItsLoop) {
  node_call("test_evicttransaction");
  AccountingOptions options;
  options.payment_interval_hours = 1e6;  // no payout runs here
  options.tick = std::chrono::milliseconds(10);
  options.follow = follow();
  options.follow_interval = std::chrono::milliseconds(10);
  AccountingService service(*store, *f.node, options);
  service.start();
  EXPECT_TRUE(test::eventually([&] { return gauge.load() == 1; }));
  node_call("test_rebroadcast");
  mine(kFinal);
  EXPECT_TRUE(test::eventually([&] { return store->payments_to_follow(0, 10).empty(); }));
  EXPECT_TRUE(test::eventually([&] { return gauge.load() == 0; }));
  service.stop();
  EXPECT_EQ(audit_failures(), "");
}

INSTANTIATE_TEST_SUITE_P(Backends, PaymentFollow, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
