// Reorgs are judged by the node: a block of ours that loses its place in the best chain stays
// pending while its branch may still win, is credited exactly once if it does, and is orphaned
// only when the best chain is 100 blocks above it. Runs against the test node and, when
// installed, a real bitcoind.
#include <gtest/gtest.h>

#include "accounting/block_ledger.h"
#include "accounting/maturity.h"
#include "support/ledger_check.h"
#include "support/mining_helpers.h"
#include "support/regtest_backend.h"
#include "support/shares.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

const std::string kMiner = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";

class BlockReorg : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend = GetParam() == "bitcoind" ? test::make_bitcoind_backend() : test::make_test_node_backend();
    if (!backend) GTEST_SKIP() << test::kBitcoindSkip;
    db = test::make_sqlite_database();
    store = store::open_store(db->url());
    backend->generate(1);
    store->insert_shares({test::share_at(kMiner, 1, 1000)});
  }

  /// The pool finds a block, records it and submits it; returns its hash.
  std::string our_block() {
    const auto f = test::find_block(backend->node(), backend->wallet_script(), kMiner, 1500);
    const auto record = found_block_record(f.found, f.block, "pplns");
    EXPECT_TRUE(store->insert_block(record));
    const auto result = mining::submit_block(backend->node(), f.block, f.found.job->height);
    EXPECT_EQ(result.status, mining::SubmitStatus::kAccepted) << result.reason;
    EXPECT_TRUE(store->set_block_submitted(record.hash, status_after_submit(result), result.reason));
    height = f.found.job->height;
    return record.hash;
  }

  store::BlockRecord stored(const std::string& hash) {
    for (const auto& b : store->blocks(std::nullopt, 100)) {
      if (b.hash == hash) return b;
    }
    ADD_FAILURE() << "block " << hash << " is not in the store";
    return {};
  }

  int credit_rows(const std::string& hash) {
    int n = 0;
    for (const auto& c : store->balance_changes(kMiner, 1000)) n += c.reference == hash ? 1 : 0;
    return n;
  }

  void rpc(const std::string& method, const std::string& hash) {
    backend->rpc().call(method, "[\"" + hash + "\"]");
  }

  std::unique_ptr<test::RegtestBackend> backend;
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> store;
  int64_t height = 0;
  MaturityOptions options{"pplns", 1.0, 1e12, 100, 100};
};

TEST_P(BlockReorg, OurBranchWinsBackAndIsCreditedOnce) {
  const std::string ours = our_block();
  // A rival branch of two blocks replaces ours for a moment.
  rpc("invalidateblock", ours);
  backend->generate(2);
  const std::string rival = backend->node().get_block_hash(height)->hex();
  ASSERT_NE(rival, ours);
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 0);
  EXPECT_EQ(stored(ours).status, "pending");  // not orphaned on the first look
  EXPECT_EQ(stored(ours).confirmations, -1);  // off the best chain for now

  // Our branch comes back and grows longer than the rival's.
  rpc("reconsiderblock", ours);
  rpc("invalidateblock", rival);
  backend->generate(2);
  rpc("reconsiderblock", rival);
  ASSERT_EQ(backend->node().get_block_hash(height)->hex(), ours);
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 0);
  EXPECT_EQ(stored(ours).status, "pending");
  EXPECT_EQ(stored(ours).confirmations, 3);

  backend->generate(96);  // 99 confirmations
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 0);
  EXPECT_EQ(credit_rows(ours), 0);
  backend->generate(1);  // 100
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 1);
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 0);
  EXPECT_EQ(stored(ours).status, "confirmed");
  EXPECT_EQ(credit_rows(ours), 1);  // credited exactly once
  EXPECT_EQ(store->balances().at(kMiner), 4950000000);
  test::expect_ledger_balances(*store, backend->node(), "test payout ");
}

TEST_P(BlockReorg, ReplacedForGoodIsOrphanedAndNeverCredited) {
  const std::string ours = our_block();
  rpc("invalidateblock", ours);
  backend->generate(2);
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 0);
  EXPECT_EQ(stored(ours).status, "pending");
  backend->generate(98);  // the best chain is 99 blocks above ours: it could still win
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 0);
  EXPECT_EQ(stored(ours).status, "pending");
  backend->generate(1);  // 100 above: buried
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 1);
  EXPECT_EQ(stored(ours).status, "orphaned");
  rpc("reconsiderblock", ours);  // valid again, but far shorter: it never wins
  backend->generate(1);
  EXPECT_EQ(check_maturity(*store, backend->node(), options), 0);
  EXPECT_EQ(stored(ours).status, "orphaned");
  EXPECT_EQ(credit_rows(ours), 0);
  EXPECT_TRUE(store->balances().empty());
  test::expect_ledger_balances(*store, backend->node(), "test payout ");
}

INSTANTIATE_TEST_SUITE_P(Backends, BlockReorg, ::testing::Values("testnode", "bitcoind"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
