// All instances on one database pay from one wallet: the first leader records the wallet's
// identity, and an instance whose node has another wallet never leads (on PostgreSQL, where
// several instances share the database, and on SQLite after a reconfiguration).
#include <gtest/gtest.h>

#include "accounting/accounting_service.h"
#include "support/eventually.h"
#include "support/mining_helpers.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

AccountingOptions quick() {
  AccountingOptions options;
  options.payment_interval_hours = 1e6;  // no payouts in these tests
  options.tick = std::chrono::milliseconds(10);
  return options;
}

testnode::TestNodeOptions wallet(const std::string& name, const std::string& seed) {
  testnode::TestNodeOptions o;
  o.wallet_name = name;
  o.wallet_seed = seed;
  return o;
}

class WalletIdentity : public ::testing::TestWithParam<std::string> {};

TEST_P(WalletIdentity, AnInstanceWithAnotherWalletNeverLeads) {
  auto db = test::database_for_test(GetParam());
  if (!db) return;
  test::NodeFixture pools_node(wallet("pool", "seed-of-the-pool-wallet"));
  test::NodeFixture other_node(wallet("pool", "seed-of-another-wallet"));  // same name, other keys
  auto store = store::open_store(db->url());
  {
    AccountingService first(*store, *pools_node.node, quick());
    first.start();
    ASSERT_TRUE(test::eventually([&] { return first.is_leader(); }));
    first.stop();
  }
  const auto recorded = store->setting("wallet_identity");
  ASSERT_TRUE(recorded);
  EXPECT_EQ(*recorded, pools_node.node->wallet_identity());
  EXPECT_NE(*recorded, other_node.node->wallet_identity());

  // The leader is gone; an instance on the other wallet sees the database free but must not lead.
  auto other_store = store::open_store(db->url());
  AccountingService other(*other_store, *other_node.node, quick());
  other.start();
  EXPECT_TRUE(test::eventually([&] { return other.wrong_wallet(); }));
  EXPECT_FALSE(other.is_leader());
  // And it did not take the lock either: an instance on the right wallet can still lead.
  AccountingService right(*store, *pools_node.node, quick());
  right.start();
  EXPECT_TRUE(test::eventually([&] { return right.is_leader(); }));
  right.stop();
  other.stop();
  EXPECT_EQ(store->setting("wallet_identity"), recorded);
}

// A copy of the pool's wallet on another node has the same keys, so the same identity, but not
// the payout comments reconciliation finds earlier payouts by: an instance on such a node could
// release a payout whose reply was lost and pay it again. It must not lead.
TEST_P(WalletIdentity, ACopyOfThePoolsWalletOnAnotherNodeNeverLeads) {
  auto db = test::database_for_test(GetParam());
  if (!db) return;
  test::NodeFixture pools_node(wallet("pool", "seed-of-the-pool-wallet"));
  test::NodeFixture copy_node(wallet("pool", "seed-of-the-pool-wallet"));  // same keys, its own history
  ASSERT_EQ(pools_node.node->wallet_identity(), copy_node.node->wallet_identity());
  auto store = store::open_store(db->url());
  {
    AccountingService first(*store, *pools_node.node, quick());
    first.start();
    ASSERT_TRUE(test::eventually([&] { return first.is_leader(); }));
    first.stop();
  }
  // The pool's wallet paid a payout.
  pools_node.rpc->call("generatetoaddress", "[110,\"" + pools_node.wallet_address + "\"]");
  store::BlockRecord b;
  b.hash = "ab";
  b.reward_sats = 1000000;
  ASSERT_TRUE(store->insert_block(b));
  ASSERT_TRUE(store->credit_block("ab", {{pools_node.wallet_address, 1000000}}, 0));
  const int64_t id = store->create_payment({{pools_node.wallet_address, 1000000}}, "copy-test ");
  const std::string txid = pools_node.node->send_many({{pools_node.wallet_address, 1000000}}, "copy-test " + std::to_string(id));
  store->complete_payment(id, txid, -pools_node.node->get_transaction(txid)->fee_sats);

  auto copy_store = store::open_store(db->url());
  AccountingService copy(*copy_store, *copy_node.node, quick());
  copy.start();
  EXPECT_TRUE(test::eventually([&] { return copy.wrong_wallet(); }));
  EXPECT_FALSE(copy.is_leader());
  copy.stop();
  AccountingService right(*store, *pools_node.node, quick());
  right.start();
  EXPECT_TRUE(test::eventually([&] { return right.is_leader(); }));
  right.stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, WalletIdentity, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
