// The test node's own chain rules: genesis, reorgs, contextual checks, unknown transactions.
#include "testnode/chain.h"

#include <gtest/gtest.h>

#include "bitcoin/merkle.h"
#include "bitcoin/script.h"
#include "bitcoin/target.h"
#include "testnode/tx_factory.h"

namespace pool::testnode {
namespace {

const bitcoin::Bytes kScript = bitcoin::from_hex("0014f05b734c1d54256ba454b53b08164f256558b2a8");

void regrind(bitcoin::Block& block) {
  block.header.merkle_root = bitcoin::block_merkle_root(block);
  const auto target = *bitcoin::target_from_bits(block.header.bits);
  for (block.header.nonce = 0; !bitcoin::hash_meets_target(block.header.hash(), target); ++block.header.nonce) {
  }
}

// A valid next block built by hand, so single fields can be broken.
bitcoin::Block next_block(const Chain& chain) {
  bitcoin::Block block;
  block.header.version = 0x20000000;
  block.header.prev_hash = chain.tip_hash();
  block.header.time = chain.median_time_past() + 1;
  block.header.bits = chain.bits();
  bitcoin::Transaction coinbase;
  bitcoin::TxIn in;
  in.script_sig = bitcoin::bip34_height_script(chain.height() + 1);
  in.script_sig.push_back(0);
  coinbase.inputs.push_back(in);
  coinbase.outputs.push_back({Chain::subsidy(chain.height() + 1), kScript});
  block.transactions.push_back(coinbase);
  regrind(block);
  return block;
}

TEST(TestChain, StartsAtRealRegtestGenesis) {
  Chain chain;
  EXPECT_EQ(chain.height(), 0);
  EXPECT_EQ(chain.tip_hash().hex(), "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
}

TEST(TestChain, SubsidyHalvesEvery150BlocksOnRegtest) {
  EXPECT_EQ(Chain::subsidy(149), 5000000000);
  EXPECT_EQ(Chain::subsidy(150), 2500000000);
  EXPECT_EQ(Chain::subsidy(300), 1250000000);
}

TEST(TestChain, HandBuiltBlockIsAcceptedAndBrokenOnesAreNot) {
  Chain chain;
  bitcoin::Block good = next_block(chain);
  EXPECT_EQ(chain.check_block(good), "");

  bitcoin::Block b = good;
  b.header.bits = 0x207ffffe;
  regrind(b);
  EXPECT_EQ(chain.check_block(b), "bad-diffbits");

  b = good;
  b.header.time = chain.median_time_past();
  regrind(b);
  EXPECT_EQ(chain.check_block(b), "time-too-old");

  b = good;
  b.header.time = chain.now() + 3 * 60 * 60;
  regrind(b);
  EXPECT_EQ(chain.check_block(b), "time-too-new");

  b = good;
  b.header.prev_hash.data()[0] ^= 1;
  regrind(b);
  EXPECT_EQ(chain.check_block(b), "prev-blk-not-found");

  b = good;
  b.transactions[0].inputs[0].script_sig = {0x51};
  regrind(b);
  EXPECT_EQ(chain.check_block(b), "bad-cb-length");

  b = good;
  b.transactions.push_back(b.transactions[0]);
  b.transactions[1].inputs[0].script_sig.push_back(1);
  regrind(b);
  EXPECT_EQ(chain.check_block(b), "bad-cb-multiple");

  b = good;
  b.transactions.push_back(TxFactory(7).make(nullptr, false).tx);  // not in the node's mempool
  regrind(b);
  EXPECT_EQ(chain.check_block(b), "bad-txns-inputs-missingorspent");

  b = good;
  b.header.version = 3;
  regrind(b);
  EXPECT_EQ(chain.check_block(b), "bad-version");

  EXPECT_EQ(chain.submit(good), std::nullopt);
  EXPECT_EQ(chain.height(), 1);
  EXPECT_EQ(chain.submit(good), "duplicate");
}

TEST(TestChain, InvalidateBlockReorgsAndReturnsTransactions) {
  Chain chain;
  TxFactory factory;
  chain.generate(2, kScript);
  auto made = factory.make(nullptr, true);
  chain.add_to_mempool(made.tx, made.fee);
  const auto mined = chain.generate(1, kScript);
  EXPECT_TRUE(chain.mempool().empty());
  EXPECT_EQ(chain.tx_height(made.tx.txid()), 3);
  ASSERT_TRUE(chain.invalidate(mined[0]));
  EXPECT_EQ(chain.height(), 2);
  EXPECT_EQ(chain.confirmations(mined[0]), -1);
  ASSERT_EQ(chain.mempool().size(), 1u);  // the transaction is back
  const auto replacement = chain.generate(2, kScript);
  EXPECT_EQ(*chain.hash_at(3), replacement[0]);
  EXPECT_NE(replacement[0], mined[0]);
  EXPECT_EQ(chain.tx_height(made.tx.txid()), 3);
}

TEST(TestChain, ReconsiderBlockBringsTheLongerBranchBack) {
  Chain chain;
  chain.generate(1, kScript);
  const auto ours = chain.generate(1, kScript)[0];
  ASSERT_TRUE(chain.invalidate(ours));
  const auto rival = chain.generate(2, kScript);  // heights 2 and 3
  ASSERT_TRUE(chain.reconsider(ours));
  EXPECT_EQ(chain.confirmations(ours), -1);  // our branch (height 2) has less work: the rival stays
  EXPECT_EQ(chain.tip_hash(), rival[1]);
  // Extend ours: invalidate the rival, mine two on ours, reconsider the rival (now shorter).
  ASSERT_TRUE(chain.invalidate(rival[0]));
  EXPECT_EQ(chain.tip_hash(), ours);
  chain.generate(2, kScript);
  ASSERT_TRUE(chain.reconsider(rival[0]));
  EXPECT_EQ(chain.height(), 4);
  EXPECT_EQ(chain.confirmations(ours), 3);
  EXPECT_EQ(chain.confirmations(rival[0]), -1);
  // Invalidating our branch now makes the reconsidered rival the best chain at once, as in Core.
  ASSERT_TRUE(chain.invalidate(ours));
  EXPECT_EQ(chain.tip_hash(), rival[1]);
  EXPECT_FALSE(chain.reconsider(bitcoin::Uint256{}));
}

TEST(TestChain, LongerSideBranchTakesOver) {
  const Clock fixed = [] { return 1800000000u; };  // both chains must mine identical block 1
  Chain chain(0x207fffff, fixed);
  chain.generate(1, kScript);
  const auto fork_point = chain.tip_hash();
  const auto a = chain.generate(1, kScript);
  // Build a two-block branch from the fork point by hand.
  Chain other(0x207fffff, fixed);
  other.generate(1, kScript);
  ASSERT_EQ(other.tip_hash(), fork_point);  // same deterministic history up to here
  other.generate(1, bitcoin::from_hex("51"));
  other.generate(1, bitcoin::from_hex("51"));
  const auto b1 = other.find(*other.hash_at(2))->block;
  const auto b2 = other.find(*other.hash_at(3))->block;
  EXPECT_EQ(chain.submit(b1), "inconclusive");  // same height as our tip: side branch
  EXPECT_EQ(*chain.hash_at(2), a[0]);
  EXPECT_EQ(chain.submit(b2), std::nullopt);  // more work: reorg
  EXPECT_EQ(chain.height(), 3);
  EXPECT_EQ(*chain.hash_at(2), b1.header.hash());
  EXPECT_EQ(chain.confirmations(a[0]), -1);
}

}  // namespace
}  // namespace pool::testnode
