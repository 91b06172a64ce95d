#include "bitcoin/merkle.h"

#include <gtest/gtest.h>

#include "bitcoin/sha256.h"

namespace pool::bitcoin {
namespace {

Uint256 leaf(uint8_t n) {
  Uint256 h;
  h.data()[0] = n;
  return h;
}

TEST(Merkle, SingleLeafIsItsOwnRoot) { EXPECT_EQ(merkle_root({leaf(1)}), leaf(1)); }

TEST(Merkle, OddLevelsDuplicateLastNode) {
  const Uint256 ab = hash_pair(leaf(1), leaf(2));
  const Uint256 cc = hash_pair(leaf(3), leaf(3));
  EXPECT_EQ(merkle_root({leaf(1), leaf(2), leaf(3)}), hash_pair(ab, cc));
}

// For every transaction count 1..40, the Stratum branch folded from the coinbase must give
// the same root as the full tree.
TEST(Merkle, CoinbaseBranchReproducesFullRoot) {
  for (uint8_t n = 1; n <= 40; ++n) {
    std::vector<Uint256> all;
    for (uint8_t i = 0; i < n; ++i) all.push_back(sha256d(std::span<const uint8_t>(&i, 1)));
    const std::vector<Uint256> rest(all.begin() + 1, all.end());
    const auto branch = coinbase_merkle_branch(rest);
    EXPECT_EQ(merkle_root_from_branch(all[0], branch), merkle_root(all)) << int(n);
    size_t depth = 0;
    while ((size_t{1} << depth) < n) ++depth;
    EXPECT_EQ(branch.size(), depth) << int(n);
  }
}

TEST(Merkle, EmptyBlockHasNoBranch) {
  EXPECT_TRUE(coinbase_merkle_branch({}).empty());
  EXPECT_EQ(merkle_root_from_branch(leaf(9), {}), leaf(9));
}

TEST(Merkle, WitnessCommitmentScriptShape) {
  const Bytes script = witness_commitment_script(leaf(1));
  ASSERT_EQ(script.size(), 38u);
  EXPECT_EQ(to_hex(Bytes(script.begin(), script.begin() + 6)), "6a24aa21a9ed");
}

// An empty block's witness root is H(0||0)... i.e. the merkle root of the single zero leaf,
// which is zero; gbt-empty.json carries Core's commitment for exactly that case.
TEST(Merkle, EmptyTemplateCommitmentMatchesBitcoinCore) {
  EXPECT_EQ(to_hex(witness_commitment_script(witness_merkle_root({}))),
            "6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9");
}

}  // namespace
}  // namespace pool::bitcoin
