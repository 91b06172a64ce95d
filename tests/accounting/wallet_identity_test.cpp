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

INSTANTIATE_TEST_SUITE_P(Backends, WalletIdentity, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
