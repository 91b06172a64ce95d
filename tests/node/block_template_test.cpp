#include "node/block_template.h"

#include <gtest/gtest.h>

#include "support/vectors.h"
#include "util/json.h"

namespace pool::node {
namespace {

TEST(BlockTemplate, ParsesBitcoinCoreTemplateWithTransactions) {
  const auto doc = test::read_json_vector("regtest/gbt-with-4-txs.json");
  const BlockTemplate t = parse_block_template(doc);
  EXPECT_EQ(t.version, 0x20000000);
  EXPECT_EQ(t.previous_block_hash.hex(), "0d83fde6c4ff1721a71b7f114be359848d778866068074b22adc88859cf8f0c5");
  EXPECT_EQ(t.bits, 0x207fffffu);
  EXPECT_EQ(t.height, 102);
  ASSERT_EQ(t.transactions.size(), 4u);
  EXPECT_EQ(t.transactions[0].fee, 3300);
  EXPECT_EQ(t.transactions[0].txid.hex(), "aa11bb64a3d1c4202e0402b0ed95af01e2511951650026bd74ab30a427fe660b");
  EXPECT_NE(t.transactions[0].txid, t.transactions[0].wtxid);
  EXPECT_EQ(t.coinbase_value, 5000000000 + t.total_fees());
  EXPECT_TRUE(t.segwit_active());
  ASSERT_TRUE(t.default_witness_commitment);
  EXPECT_EQ(t.default_witness_commitment->size(), 38u);
  // The second transaction spends the first: Core lists that dependency.
  bool any_depends = false;
  for (const auto& tx : t.transactions) any_depends = any_depends || !tx.depends.empty();
  EXPECT_TRUE(any_depends);
}

TEST(BlockTemplate, ParsesEmptyTemplate) {
  const BlockTemplate t = parse_block_template(test::read_json_vector("regtest/gbt-empty.json"));
  EXPECT_TRUE(t.transactions.empty());
  EXPECT_EQ(t.coinbase_value, 5000000000);
  EXPECT_EQ(t.height, 124);
  EXPECT_EQ(t.min_time, 1795476188u);
}

TEST(BlockTemplate, MissingFieldIsNamed) {
  auto doc = test::read_json_vector("regtest/gbt-empty.json");
  doc.RemoveMember("coinbasevalue");
  try {
    parse_block_template(doc);
    FAIL();
  } catch (const util::JsonError& e) {
    EXPECT_NE(std::string(e.what()).find("coinbasevalue"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pool::node
