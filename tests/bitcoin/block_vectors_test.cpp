// Checks the primitives against real blocks: Bitcoin's genesis and block 125552 headers, and
// blocks mined by Bitcoin Core v30 on regtest (../shared/vectors/regtest).
#include <gtest/gtest.h>

#include "bitcoin/block.h"
#include "bitcoin/merkle.h"
#include "bitcoin/target.h"
#include "support/vectors.h"

namespace pool::bitcoin {
namespace {

TEST(BlockHeader, GenesisHash) {
  BlockHeader h;
  h.version = 1;
  h.merkle_root = Uint256::from_hex("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  h.time = 1231006505;
  h.bits = 0x1d00ffff;
  h.nonce = 2083236893;
  EXPECT_EQ(h.hash().hex(), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  EXPECT_TRUE(hash_meets_target(h.hash(), *target_from_bits(h.bits)));
}

TEST(BlockHeader, MainnetBlock125552) {
  BlockHeader h;
  h.version = 1;
  h.prev_hash = Uint256::from_hex("00000000000008a3a41b85b8b29ad444def299fee21793cd8b9e567eab02cd81");
  h.merkle_root = Uint256::from_hex("2b12fcf1b09288fcaff797d71e950e71ae42b91e8bdb2304758dfcffc2b620e3");
  h.time = 1305998791;
  h.bits = 440711666;
  h.nonce = 2504433986;
  EXPECT_EQ(h.hash().hex(), "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d");
  EXPECT_TRUE(hash_meets_target(h.hash(), *target_from_bits(h.bits)));
  h.nonce += 1;
  EXPECT_FALSE(hash_meets_target(h.hash(), *target_from_bits(h.bits)));
}

TEST(RegtestVectors, Block114ParsesAndReserializesExactly) {
  const std::string hex = test::read_hex_vector("regtest/block-with-114-txs.hex");
  const Block block = Block::from_hex(hex);
  EXPECT_EQ(to_hex(block.serialize()), hex);
  EXPECT_EQ(block.transactions.size(), 115u);
  EXPECT_TRUE(block.transactions[0].is_coinbase());
}

TEST(RegtestVectors, Block114HashMerkleRootAndWitnessCommitment) {
  const Block block = Block::from_hex(test::read_hex_vector("regtest/block-with-114-txs.hex"));
  auto info = test::read_json_vector("regtest/block-with-114-txs.json");
  EXPECT_EQ(block.header.hash().hex(), info["hash"].GetString());
  EXPECT_EQ(block.header.merkle_root.hex(), info["merkleroot"].GetString());
  EXPECT_EQ(block_merkle_root(block), block.header.merkle_root);
  EXPECT_TRUE(hash_meets_target(block.header.hash(), *target_from_bits(block.header.bits)));

  const Transaction& coinbase = block.transactions[0];
  const auto commitment_index = find_witness_commitment(coinbase);
  ASSERT_TRUE(commitment_index);
  ASSERT_EQ(coinbase.inputs[0].witness.size(), 1u);
  const Uint256 reserved = Uint256::from_internal(coinbase.inputs[0].witness[0]);
  std::vector<Uint256> wtxids;
  for (size_t i = 1; i < block.transactions.size(); ++i) wtxids.push_back(block.transactions[i].wtxid());
  EXPECT_EQ(witness_commitment_script(witness_merkle_root(wtxids), reserved),
            coinbase.outputs[*commitment_index].script_pubkey);
}

TEST(RegtestVectors, Block114TemplateBranchGivesBlockRoot) {
  const Block block = Block::from_hex(test::read_hex_vector("regtest/block-with-114-txs.hex"));
  auto gbt = test::read_json_vector("regtest/gbt-with-114-txs.json");
  std::vector<Uint256> template_txids;
  for (const auto& tx : gbt["transactions"].GetArray()) template_txids.push_back(Uint256::from_hex(tx["txid"].GetString()));
  const auto branch = coinbase_merkle_branch(template_txids);
  EXPECT_EQ(branch.size(), 7u);  // 115 leaves: depth 7
  EXPECT_EQ(merkle_root_from_branch(block.transactions[0].txid(), branch), block.header.merkle_root);
}

TEST(RegtestVectors, Block4TemplateCommitmentEqualsMinedBlock) {
  const Block block = Block::from_hex(test::read_hex_vector("regtest/block-with-4-txs.hex"));
  auto gbt = test::read_json_vector("regtest/gbt-with-4-txs.json");
  auto info = test::read_json_vector("regtest/block-with-4-txs.json");
  EXPECT_EQ(block.header.hash().hex(), info["hash"].GetString());
  EXPECT_EQ(block.header.prev_hash.hex(), gbt["previousblockhash"].GetString());

  const Transaction& coinbase = block.transactions[0];
  const auto idx = find_witness_commitment(coinbase);
  ASSERT_TRUE(idx);
  EXPECT_EQ(to_hex(coinbase.outputs[*idx].script_pubkey), gbt["default_witness_commitment"].GetString());

  // Our witness root from the template's wtxids reproduces Core's default_witness_commitment.
  std::vector<Uint256> wtxids, txids;
  for (const auto& tx : gbt["transactions"].GetArray()) {
    wtxids.push_back(Uint256::from_hex(tx["hash"].GetString()));
    txids.push_back(Uint256::from_hex(tx["txid"].GetString()));
  }
  EXPECT_EQ(to_hex(witness_commitment_script(witness_merkle_root(wtxids))),
            gbt["default_witness_commitment"].GetString());

  // Merkle root of [block's coinbase txid] + template txids equals the block's root.
  std::vector<Uint256> leaves = {coinbase.txid()};
  leaves.insert(leaves.end(), txids.begin(), txids.end());
  EXPECT_EQ(merkle_root(leaves), block.header.merkle_root);
  // Core v30 writes the BIP34 height (102) as a minimal push, then OP_0.
  EXPECT_EQ(to_hex(coinbase.inputs[0].script_sig), "016600");
  EXPECT_EQ(block.header.bits, 0x207fffffu);
}

}  // namespace
}  // namespace pool::bitcoin
