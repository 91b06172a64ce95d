// Payouts against a node that misbehaves (tests/support/rpc_fault_proxy): the sendmany reply is
// lost, the node hangs, the node goes down and comes back during a run. Each ends with the check
// that every address was paid exactly once (the wallet's sends vs the balances owed). Also:
// two wallet sends with one payout's comment raise the duplicate alert, and a block is submitted
// on its own connection while a wallet call hangs.
#include <gtest/gtest.h>

#include <future>

#include "accounting/ledger_audit.h"
#include "accounting/payouts.h"
#include "mining/block_assembler.h"
#include "mining/block_submitter.h"
#include "mining/job_builder.h"
#include "support/eventually.h"
#include "support/ledger_check.h"
#include "support/mining_helpers.h"
#include "support/rpc_fault_proxy.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

using namespace std::chrono_literals;
using test::Fault;

const std::map<std::string, int64_t> kOwed = {
    {"bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d", 123456789},
    {"mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz", 987654321},
};

class PayoutFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    f.rpc->call("generatetoaddress", "[110,\"" + f.wallet_address + "\"]");  // spendable funds
    store = store::open_store(db->url());
    store::BlockRecord b;
    b.hash = "ab";
    b.height = 1;
    b.reward_sats = 5000000000;
    store->insert_block(b);
    int64_t owed = 0;
    for (const auto& [address, sats] : kOwed) owed += sats;
    store->credit_block("ab", kOwed, b.reward_sats - owed);  // the rest is the pool's: the books balance
    wallet_rpc = client(2000ms);
    wallet = std::make_unique<node::BitcoinNode>(*wallet_rpc);
    options.network = bitcoin::Network::kRegtest;
    options.min_payout_sats = 1000;
    options.comment_prefix = "fault-test payout ";
    options.duplicate_sends = &duplicates;
  }

  /// A client of its own through the proxy.
  std::unique_ptr<node::RpcClient> client(std::chrono::milliseconds timeout) {
    node::RpcOptions o = f.rpc_options();
    o.port = proxy.port();
    o.timeout = timeout;
    o.max_attempts = 3;
    return std::make_unique<node::RpcClient>(o);
  }

  /// Every owed address received its amount, less its share of the network fee, in exactly one
  /// wallet output; the fee is on the books; nothing is pending, every balance is zero and the
  /// ledger audit passes.
  void expect_each_paid_exactly_once() {
    const auto sent = store->payments(std::string("sent"), 10);
    ASSERT_EQ(sent.size(), 1u);
    ASSERT_TRUE(sent[0].fee_sats);
    int64_t outputs = 0, owed = 0;
    for (const auto& [address, sats] : kOwed) {
      std::pair<int64_t, int> paid;
      f.test_node->service().with_chain([&](auto&, auto& w, auto&) { paid = w.paid_to(address); });
      EXPECT_LE(paid.first, sats) << address;
      EXPECT_GE(paid.first, sats - *sent[0].fee_sats) << address;
      EXPECT_EQ(paid.second, 1) << address;
      EXPECT_EQ(store->balances().at(address), 0) << address;
      outputs += paid.first;
      owed += sats;
    }
    EXPECT_EQ(outputs + *sent[0].fee_sats, owed);  // the fee came out of the outputs, to the satoshi
    EXPECT_TRUE(store->payments(std::string("pending"), 10).empty());
    EXPECT_EQ(duplicates.load(), 0u);
    test::expect_ledger_balances(*store, *f.node, options.comment_prefix);
  }

  std::vector<store::PaymentRecord> pending() { return store->payments(std::string("pending"), 10); }

  test::NodeFixture f;
  test::RpcFaultProxy proxy{"127.0.0.1", f.test_node->port()};
  std::unique_ptr<test::TestDatabase> db = test::make_sqlite_database();
  std::unique_ptr<store::Store> store;
  std::unique_ptr<node::RpcClient> wallet_rpc;
  std::unique_ptr<node::BitcoinNode> wallet;
  std::atomic<uint64_t> duplicates{0};
  PayoutOptions options;
};

TEST_F(PayoutFaults, LostSendmanyReplyStaysPendingAndReconciliationCompletesIt) {
  proxy.set_fault("sendmany", Fault::kDropReply);
  const PayoutReport first = run_payouts(*store, *wallet, options);
  EXPECT_TRUE(first.outcome_unknown) << first.error;
  EXPECT_EQ(proxy.forwarded("sendmany"), 1);  // never sent again
  ASSERT_EQ(pending().size(), 1u);            // neither completed nor released: unknown

  proxy.clear_faults();
  const PayoutReport second = run_payouts(*store, *wallet, options);
  EXPECT_EQ(second.reconciled_sent, 1) << second.error;
  EXPECT_EQ(second.recipients, 0);  // nothing owed any more
  EXPECT_EQ(proxy.forwarded("sendmany"), 1);
  expect_each_paid_exactly_once();
  EXPECT_EQ(store->payments(std::string("sent"), 10).size(), 1u);
}

TEST_F(PayoutFaults, TwoWalletSendsWithOneCommentRaiseTheDuplicateAlert) {
  const int64_t id = store->create_payment(kOwed, options.comment_prefix);
  const std::string comment = options.comment_prefix + std::to_string(id);
  const std::string first = f.node->send_many(kOwed, comment);
  f.node->send_many(kOwed, comment);  // what a resend would have done
  const PayoutReport report = reconcile_payouts(*store, *wallet, options);
  EXPECT_EQ(report.duplicate_sends, 1);
  EXPECT_EQ(duplicates.load(), 1u);
  EXPECT_EQ(report.reconciled_sent, 1);
  const auto sent = store->payments(std::string("sent"), 10);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(sent[0].txid.empty());
  // The books are right; the wallet paid twice, and the audit says so.
  const auto audit = run_ledger_audit(*store, *f.node, options.comment_prefix);
  EXPECT_FALSE(audit.ok());
  std::string lines;
  for (const auto& line : audit.lines()) lines += line + "\n";
  EXPECT_NE(lines.find("sent it 2 times"), std::string::npos) << lines;
}

TEST_F(PayoutFaults, HungWalletCallTimesOutAndABlockIsSubmittedMeanwhileOnItsOwnConnection) {
  auto block_rpc = client(2000ms);
  node::BitcoinNode block_node(*block_rpc);
  auto tmpl = std::make_shared<const node::BlockTemplate>(block_node.get_block_template());
  const mining::Job job = mining::build_job(tmpl, f.wallet_script, {}, "1", true);
  const auto solution = test::solve(job, test::base_solution(job), job.network_target);

  // A payout left pending (say the pool was killed before sendmany): the next run reconciles it
  // first, and the wallet hangs in that reconciliation's listtransactions paging.
  store->create_payment(kOwed, options.comment_prefix);
  wallet_rpc = client(3000ms);
  wallet = std::make_unique<node::BitcoinNode>(*wallet_rpc);
  proxy.set_fault("listtransactions", Fault::kHang, {}, 1);
  std::chrono::steady_clock::time_point payout_ended;
  auto payout = std::async(std::launch::async, [&] {
    auto report = run_payouts(*store, *wallet, options);
    payout_ended = std::chrono::steady_clock::now();
    return report;
  });
  ASSERT_TRUE(test::eventually([&] { return proxy.received("listtransactions") == 1; }));

  // Meanwhile the block is found: it goes out on the block connection, not behind the wallet.
  const auto result = mining::submit_block(block_node, mining::assemble_block(job, solution), job.height);
  EXPECT_EQ(result.status, mining::SubmitStatus::kAccepted) << result.reason;
  const auto submitted = proxy.first_arrival("submitblock");
  ASSERT_TRUE(submitted);

  // The wallet call's deadline fires (generous bound; the hang itself lasts until released).
  ASSERT_EQ(payout.wait_for(30s), std::future_status::ready) << "the wallet call ignored its deadline";
  const PayoutReport hung = payout.get();
  EXPECT_NE(hung.error.find("timed out"), std::string::npos) << hung.error;
  EXPECT_LT(*submitted, payout_ended);  // the block went out while the wallet call was hanging
  EXPECT_EQ(proxy.received("sendmany"), 0);
  proxy.release();

  proxy.clear_faults();
  const PayoutReport later = run_payouts(*store, *wallet, options);
  EXPECT_EQ(later.reconciled_released, 1) << later.error;
  EXPECT_EQ(later.recipients, 2) << later.error;
  expect_each_paid_exactly_once();
}

TEST_F(PayoutFaults, HungSubmitblockTimesOutAndTheBlockStillGetsIn) {
  auto block_rpc = client(300ms);
  node::BitcoinNode block_node(*block_rpc);
  auto tmpl = std::make_shared<const node::BlockTemplate>(block_node.get_block_template());
  const mining::Job job = mining::build_job(tmpl, f.wallet_script, {}, "1", true);
  const auto solution = test::solve(job, test::base_solution(job), job.network_target);
  proxy.set_fault("submitblock", Fault::kHang, {}, 1);
  const auto result = mining::submit_block(block_node, mining::assemble_block(job, solution), job.height);
  EXPECT_EQ(result.status, mining::SubmitStatus::kAccepted) << result.reason;
  // The hung attempt timed out; the next one went through.
  EXPECT_TRUE(test::eventually([&] { return proxy.received("submitblock") == 2; }));
  proxy.release();
}

TEST_F(PayoutFaults, NodeDownAfterSendmanyRanThenBackReconcilesWithoutPayingTwice) {
  proxy.set_fault("sendmany", Fault::kDropReply, {}, 1);
  EXPECT_TRUE(run_payouts(*store, *wallet, options).outcome_unknown);
  f.test_node->stop();  // the node dies before anyone learns the outcome
  const PayoutReport down = run_payouts(*store, *wallet, options);
  EXPECT_FALSE(down.error.empty());
  EXPECT_EQ(pending().size(), 1u);
  f.test_node->start();
  const PayoutReport back = run_payouts(*store, *wallet, options);
  EXPECT_EQ(back.reconciled_sent, 1) << back.error;
  EXPECT_EQ(proxy.forwarded("sendmany"), 1);
  expect_each_paid_exactly_once();
}

TEST_F(PayoutFaults, NodeDownBeforeSendmanyRanThenBackPaysOnce) {
  // sendmany reaches the proxy, the node dies before it gets there: the pool cannot know that.
  proxy.set_fault("sendmany", Fault::kDelay, 10s, 1);
  auto payout = std::async(std::launch::async, [&] { return run_payouts(*store, *wallet, options); });
  ASSERT_TRUE(test::eventually([&] { return proxy.received("sendmany") == 1; }));
  f.test_node->stop();
  proxy.release();  // end the delay: the forward finds the node gone
  ASSERT_EQ(payout.wait_for(30s), std::future_status::ready);
  EXPECT_TRUE(payout.get().outcome_unknown);
  EXPECT_EQ(proxy.forwarded("sendmany"), 0);
  EXPECT_EQ(pending().size(), 1u);
  f.test_node->start();
  const PayoutReport back = run_payouts(*store, *wallet, options);
  EXPECT_EQ(back.reconciled_released, 1) << back.error;
  EXPECT_EQ(back.recipients, 2) << back.error;
  EXPECT_EQ(proxy.forwarded("sendmany"), 1);
  expect_each_paid_exactly_once();
}

}  // namespace
}  // namespace pool::accounting
