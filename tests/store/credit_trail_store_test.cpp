// Store::block_credit_trail on SQLite and PostgreSQL: the block, one address's credit from it,
// and only the sent payments reserved from that address after the credit.
#include <gtest/gtest.h>

#include "store/store.h"
#include "support/test_databases.h"

namespace pool::store {
namespace {

class CreditTrail : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test(GetParam());
    if (!db) GTEST_SKIP() << GetParam() << " is not available";
    store = open_store(db->url());
  }
  void block(const std::string& hash, int64_t height) {
    BlockRecord b;
    b.hash = hash;
    b.height = height;
    b.status = "pending";
    b.reward_sats = 10000;
    store->insert_block(b);
  }
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<Store> store;
};

TEST_P(CreditTrail, CreditAndThePaymentsSentAfterIt) {
  EXPECT_FALSE(store->block_credit_trail("nope", "a", 10));
  block("h1", 10);
  block("h2", 11);
  auto t = store->block_credit_trail("h2", "a", 10);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->height, 11);
  EXPECT_EQ(t->status, "pending");
  EXPECT_FALSE(t->credited_sats);

  ASSERT_TRUE(store->credit_block("h1", {{"a", 4000}}, 0));
  const int64_t p1 = store->create_payment({{"a", 4000}}, "p1");
  store->complete_payment(p1, "t1", 50);
  ASSERT_TRUE(store->credit_block("h2", {{"a", 700}, {"b", 900}}, 0));
  const int64_t p2 = store->create_payment({{"a", 600}, {"b", 900}}, "p2");
  store->complete_payment(p2, "t2", 80);
  const int64_t p3 = store->create_payment({{"a", 100}}, "p3");  // pending: not listed
  store->release_payment(p3);
  const int64_t p4 = store->create_payment({{"a", 100}}, "p4");
  store->complete_payment(p4, "t4", 20);

  t = store->block_credit_trail("h2", "a", 10);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, "confirmed");
  EXPECT_EQ(t->credited_sats, 700);
  ASSERT_EQ(t->payments.size(), 2u);
  EXPECT_EQ(t->payments[0].payment_id, p2);
  EXPECT_EQ(t->payments[0].txid, "t2");
  EXPECT_EQ(t->payments[0].sats, 600);
  EXPECT_EQ(t->payments[0].fee_sats, 80);
  EXPECT_EQ(t->payments[0].recipients, 2);
  EXPECT_EQ(t->payments[1].payment_id, p4);
  EXPECT_EQ(store->block_credit_trail("h2", "a", 1)->payments.size(), 1u);
  EXPECT_EQ(store->block_credit_trail("h1", "a", 10)->payments.size(), 3u);
  EXPECT_FALSE(store->block_credit_trail("h2", "c", 10)->credited_sats);
}

INSTANTIATE_TEST_SUITE_P(Backends, CreditTrail, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace pool::store
