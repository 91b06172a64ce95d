// A fee-bumped payout against the test node and, when installed, a real bitcoind (the same
// scenario, so the test node's bumpfee is held to Core's): once the bump is payout_confirmations
// deep, the original shows negative confirmations and replaced_by_txid, and
// `--recredit-payment` refuses it (the bump paid the miner); the follower re-points the payment
// to the bump and finalizes it; the ledger audit passes.
#include <gtest/gtest.h>

#include "accounting/payment_follower.h"
#include "accounting/payment_reversal.h"
#include "support/ledger_check.h"
#include "support/regtest_backend.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

const std::string kMiner = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
constexpr int kFinal = 3;  // payout_confirmations
constexpr int64_t kOwed = 1000000;
const std::string kPrefix = "bump payout ";

class PayoutBump : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend = GetParam() == "bitcoind" ? test::make_bitcoind_backend() : test::make_test_node_backend();
    if (!backend) GTEST_SKIP() << test::kBitcoindSkip;
    backend->generate(101);  // one spendable coinbase
    db = test::make_sqlite_database();
    store = store::open_store(db->url());
    // The miner is owed kOwed (a credited block), paid in one payment as run_payouts pays it.
    store::BlockRecord b;
    b.hash = "ab";
    b.height = 1;
    b.reward_sats = kOwed;
    ASSERT_TRUE(store->insert_block(b));
    ASSERT_TRUE(store->credit_block("ab", {{kMiner, kOwed}}, 0));
    id = store->create_payment({{kMiner, kOwed}}, kPrefix);
    txid = backend->node().send_many({{kMiner, kOwed}}, kPrefix + std::to_string(id));
    store->complete_payment(id, txid, -backend->node().get_transaction(txid)->fee_sats);
  }

  std::string recorded_txid() { return store->payments(std::string("sent"), 10).at(0).txid; }

  std::unique_ptr<test::RegtestBackend> backend;
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  int64_t id = 0;
  std::string txid;
};

TEST_P(PayoutBump, AConfirmedBumpIsFollowedAndItsOriginalNeverCreditedBack) {
  const std::string wallet = backend->name() == "bitcoind" ? "/wallet/pool" : "/";
  const std::string bump = backend->rpc().call("bumpfee", "[\"" + txid + "\"]", wallet)["txid"].GetString();
  const auto original = backend->node().get_transaction(txid);
  ASSERT_TRUE(original);
  EXPECT_EQ(original->replaced_by_txid, bump);
  EXPECT_EQ(original->walletconflicts, std::vector<std::string>{bump});
  const auto replacement = backend->node().get_transaction(bump);
  ASSERT_TRUE(replacement);
  EXPECT_EQ(replacement->replaces_txid, txid);
  EXPECT_EQ(replacement->comment, original->comment);
  EXPECT_EQ(replacement->sent_sats, original->sent_sats);  // the miner's output is the same
  EXPECT_LT(replacement->fee_sats, original->fee_sats);     // (negative) the extra fee came from the change
  test::expect_ledger_balances(*store, backend->node(), kPrefix);  // the bump is the recorded send's

  backend->generate(kFinal + 1);
  EXPECT_EQ(backend->node().get_transaction(txid)->confirmations, -(kFinal + 1));
  const auto outcome = recredit_payment(*store, backend->node(), id, kFinal);
  EXPECT_EQ(outcome.status, ReversalOutcome::Status::kRefused) << outcome.message;
  EXPECT_EQ(store->balances().at(kMiner), 0);

  FollowOptions options;
  options.confirmations = kFinal;
  PaymentFollower follower(options);
  const auto r = follower.run_once(*store, backend->node());
  EXPECT_EQ(r.repointed, 1) << r.error;
  EXPECT_EQ(r.finalized, 1);
  EXPECT_EQ(r.in_trouble, 0);
  EXPECT_EQ(recorded_txid(), bump);
  test::expect_ledger_balances(*store, backend->node(), kPrefix);
}

INSTANTIATE_TEST_SUITE_P(Backends, PayoutBump, ::testing::Values("testnode", "bitcoind"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
