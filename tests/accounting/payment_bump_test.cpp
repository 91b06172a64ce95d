// A fee-bumped payout, and a payout whose sendmany failed after the wallet committed it, against
// the strict test node (its bumpfee is Core's: a replacement with the same comment and outputs,
// the extra fee from the change; the original then shows replaced_by_txid and, once the
// replacement confirms, negative confirmations). A bumped payout is followed as its replacement
// and settles; it is never credited back, however its original looks. A payout whose send failed
// with an error that does not prove nothing was sent stays pending and is reconciled by comment;
// one whose only send is dead is recorded as sent (not released), followed, and credited back
// only the safe way. Each ends with the ledger audit passing.
#include "support/payment_follow_fixture.h"

namespace pool::accounting::test_follow {
namespace {

class FeeBump : public PaymentFollow {
 protected:
  std::string bump() {
    const auto r = f.rpc->call("bumpfee", "[\"" + txid + "\"]");
    return r["txid"].GetString();
  }
  std::string recorded_txid() {
    for (const auto& p : store->payments(std::nullopt, 10)) {
      if (p.id == id) return p.txid;
    }
    return "";
  }
  int64_t recorded_fee() {
    for (const auto& p : store->payments(std::nullopt, 10)) {
      if (p.id == id) return p.fee_sats.value_or(-1);
    }
    return -1;
  }
};

TEST_P(FeeBump, ABumpedPayoutIsFollowedAsItsReplacementAndSettles) {
  const int64_t fee = recorded_fee();
  const std::string replacement = bump();
  EXPECT_EQ(audit_failures(), "");  // before the follower's round too: the live send is the recorded one's bump
  LogCapture log;
  PaymentFollower follower(follow());
  const auto r = follower.run_once(*store, *f.node);
  EXPECT_EQ(r.repointed, 1);
  EXPECT_EQ(r.alerts, 0) << log.text();
  EXPECT_EQ(gauge.load(), 0);
  EXPECT_EQ(recorded_txid(), replacement);
  EXPECT_NE(log.text().find("replaced by the fee bump " + replacement), std::string::npos) << log.text();
  EXPECT_EQ(audit_failures(), "");  // in the mempool: one live send of the comment, the miners' fee as recorded

  mine(kFinal);
  EXPECT_EQ(follower.run_once(*store, *f.node).finalized, 1);
  EXPECT_TRUE(store->payments_to_follow(0, 10).empty());
  EXPECT_EQ(gauge.load(), 0);
  EXPECT_EQ(recorded_fee(), fee);  // the bump's extra fee came from the pool's change, not the miners
  EXPECT_EQ(store->balances().at(kMinerA), 0);
  EXPECT_EQ(audit_failures(), "");
}

// The original of a confirmed bump is conflicted payout_confirmations deep, by a transaction that
// paid the same miners: crediting it back would pay them twice.
TEST_P(FeeBump, TheOriginalOfAConfirmedBumpIsNeverCreditedBack) {
  bump();
  mine(kFinal + 1);
  const auto tx = f.node->get_transaction(txid);
  ASSERT_TRUE(tx);
  ASSERT_EQ(tx->confirmations, -(kFinal + 1));  // as Core shows it
  const auto outcome = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(outcome.status, ReversalOutcome::Status::kRefused) << outcome.message;
  EXPECT_EQ(store->balances().at(kMinerA), 0);
  EXPECT_TRUE(store->payments(std::string("reversed"), 10).empty());

  PaymentFollower follower(follow());
  EXPECT_EQ(follower.run_once(*store, *f.node).finalized, 1);  // re-pointed and final at once
  EXPECT_EQ(gauge.load(), 0);
  EXPECT_EQ(audit_failures(), "");
}

// After a bump the original is out of the mempool with 0 confirmations: abandontransaction
// accepts it. It is still never credited back while the replacement pays.
TEST_P(FeeBump, AnAbandonedOriginalOfABumpIsNeverCreditedBack) {
  bump();
  node_call("abandontransaction");
  const auto at_once = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(at_once.status, ReversalOutcome::Status::kRefused) << at_once.message;
  mine(kFinal);
  const auto later = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(later.status, ReversalOutcome::Status::kRefused) << later.message;
  EXPECT_EQ(store->balances().at(kMinerA), 0);

  PaymentFollower follower(follow());
  EXPECT_EQ(follower.run_once(*store, *f.node).finalized, 1);
  EXPECT_EQ(audit_failures(), "");
}

// The payout's transaction is conflicted deep enough, but another wallet send carries its comment
// (the operator paid it again by hand): that one pays the miners, so nothing is credited back.
// The audit names the send the books do not record.
TEST_P(FeeBump, NothingIsCreditedBackWhileAnotherSendCarriesTheComment) {
  const std::string comment = store->payments(std::string("sent"), 10).at(0).comment;
  f.rpc->call("test_conflicttransaction", "[\"" + txid + "\"]");
  mine(kFinal - 1);
  const std::string resend = f.node->send_many({{kMinerA, 100000}}, comment);
  const auto outcome = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(outcome.status, ReversalOutcome::Status::kRefused) << outcome.message;
  EXPECT_NE(outcome.message.find(resend), std::string::npos) << outcome.message;
  EXPECT_EQ(store->balances().at(kMinerA), 0);
  const std::string failures = audit_failures();
  EXPECT_NE(failures.find("recorded txid " + txid + ", the wallet sent " + resend), std::string::npos) << failures;
}

INSTANTIATE_TEST_SUITE_P(Backends, FeeBump, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

/// The payout's sendmany answered -1 after the wallet had committed its transaction.
class CommitFailed : public PaymentFollow {
 protected:
  bool commit_fails() const override { return true; }
  PayoutReport reconcile() {
    PayoutOptions po;
    po.network = bitcoin::Network::kRegtest;
    po.comment_prefix = "test payout ";
    return reconcile_payouts(*store, *f.node, po);
  }
};

// (SetUp asserts the payment stayed pending.) Reconciliation finds the send by its comment.
TEST_P(CommitFailed, APayoutWhoseCommitFailedIsReconciledByItsComment) {
  const auto r = reconcile();
  EXPECT_EQ(r.reconciled_sent, 1) << r.error;
  EXPECT_EQ(r.reconciled_released, 0);
  const auto sent = store->payments(std::string("sent"), 10);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].txid, txid);
  EXPECT_EQ(store->balances().at(kMinerA), 0);  // not given back: the wallet paid it
  mine(kFinal);
  EXPECT_EQ(PaymentFollower(follow()).run_once(*store, *f.node).finalized, 1);
  EXPECT_EQ(audit_failures(), "");
}

// A pending payout whose only send was abandoned is not released (the next run would pay again,
// and the abandoned one can still confirm): it is recorded as sent, followed and alerted, and
// credited back only once its inputs are spent back to the wallet payout_confirmations deep.
TEST_P(CommitFailed, APendingPayoutWhoseOnlySendIsAbandonedIsNotReleased) {
  node_call("test_evicttransaction");
  node_call("abandontransaction");
  const auto r = reconcile();
  EXPECT_EQ(r.reconciled_released, 0);
  EXPECT_EQ(r.reconciled_sent, 1) << r.error;
  EXPECT_EQ(store->balances().at(kMinerA), 0);
  const auto sent = store->payments(std::string("sent"), 10);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].txid, txid);

  LogCapture log;
  PaymentFollower follower(follow());
  EXPECT_EQ(follower.run_once(*store, *f.node).alerts, 1);
  EXPECT_NE(log.text().find("was abandoned"), std::string::npos) << log.text();
  EXPECT_EQ(recredit_payment(*store, *f.node, id, kFinal).status, ReversalOutcome::Status::kRefused);

  f.rpc->call("test_conflicttransaction", "[\"" + txid + "\"]");
  mine(kFinal - 1);
  const auto done = recredit_payment(*store, *f.node, id, kFinal);
  EXPECT_EQ(done.status, ReversalOutcome::Status::kReversed) << done.message;
  EXPECT_EQ(store->balances().at(kMinerA), kOwedA);
  EXPECT_EQ(audit_failures(), "");
}

INSTANTIATE_TEST_SUITE_P(Backends, CommitFailed, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting::test_follow
