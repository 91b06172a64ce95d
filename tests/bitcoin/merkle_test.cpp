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

std::vector<Uint256> leaves_of(size_t n) {
  std::vector<Uint256> out;
  for (size_t i = 0; i < n; ++i) {
    const auto b = static_cast<uint8_t>(i);
    out.push_back(sha256d(std::span<const uint8_t>(&b, 1)));
  }
  return out;
}

// Every leaf of every tree of 1..33 leaves folds up its path to merkle_root, and its path is as
// long as the tree is deep.
TEST(Merkle, EveryPathFoldsToTheRoot) {
  for (size_t n = 1; n <= 33; ++n) {
    const auto leaves = leaves_of(n);
    const Uint256 root = merkle_root(leaves);
    size_t depth = 0;
    while ((size_t{1} << depth) < n) ++depth;
    for (size_t i = 0; i < n; ++i) {
      const auto path = merkle_path(leaves, i);
      EXPECT_EQ(path.size(), depth) << n << " leaves, leaf " << i;
      EXPECT_EQ(merkle_root_from_path(leaves[i], i, path), root) << n << " leaves, leaf " << i;
    }
  }
}

TEST(Merkle, OneLeafHasAnEmptyPath) {
  EXPECT_TRUE(merkle_path({leaf(7)}, 0).empty());
  EXPECT_EQ(merkle_root_from_path(leaf(7), 0, {}), leaf(7));
}

// Three leaves: the last one is paired with itself, so its first sibling is itself.
TEST(Merkle, OddLevelsLastNodeIsItsOwnSibling) {
  const std::vector<Uint256> leaves{leaf(1), leaf(2), leaf(3)};
  const auto path = merkle_path(leaves, 2);
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(path[0], leaf(3));
  EXPECT_EQ(path[1], hash_pair(leaf(1), leaf(2)));
  EXPECT_EQ(merkle_path(leaves, 0), (std::vector<Uint256>{leaf(2), hash_pair(leaf(3), leaf(3))}));
}

// A path proves one position: the same leaf and path at another index, a changed leaf or a
// changed sibling give another root.
TEST(Merkle, PathDoesNotProveAnotherLeafOrIndex) {
  const auto leaves = leaves_of(5);
  const Uint256 root = merkle_root(leaves);
  auto path = merkle_path(leaves, 1);
  EXPECT_NE(merkle_root_from_path(leaves[1], 0, path), root);
  EXPECT_NE(merkle_root_from_path(leaves[0], 1, path), root);
  path[1].data()[0] ^= 1;
  EXPECT_NE(merkle_root_from_path(leaves[1], 1, path), root);
}

TEST(Merkle, PathOfALeafOutsideTheTreeThrows) {
  EXPECT_THROW(merkle_path(leaves_of(3), 3), std::out_of_range);
  EXPECT_THROW(merkle_path(std::vector<Uint256>{}, 0), std::out_of_range);
}

// The levels built once give every leaf the same path as building the tree per leaf (the proof
// endpoint reads hundreds of paths of one window from one build).
TEST(Merkle, PathsFromLevelsBuiltOnceEqualPathsBuiltPerLeaf) {
  for (size_t n = 1; n <= 33; ++n) {
    const auto leaves = leaves_of(n);
    const auto levels = merkle_levels(leaves);
    EXPECT_EQ(levels.back().front(), merkle_root(leaves)) << n;
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(merkle_path(levels, i), merkle_path(leaves, i)) << n << " " << i;
    EXPECT_THROW(merkle_path(levels, n), std::out_of_range);
  }
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
