// The committed PPLNS window as a Merkle tree: the v1 leaf encoding byte for byte, leaf hashes and
// the root against values computed independently (Python hashlib), the (address, worker) order,
// the weight rule, decimal text, and a split equal to PplnsWeights::split on random windows.
#include "accounting/window_tree.h"

#include <gtest/gtest.h>

#include <random>

#include "bitcoin/hex.h"

namespace pool::accounting {
namespace {

constexpr unsigned __int128 kOne = 1;

store::WindowShare share(int64_t id, std::string_view address, std::string_view worker, double difficulty) {
  return {id, address, difficulty, worker};
}

// Three leaves the hash vectors below were computed from (by hand with Python's hashlib).
std::vector<WindowLeaf> three_leaves() {
  WindowTreeBuilder b(2);
  b.add(share(5, "A", "a1", 1));
  b.add(share(3, "C", "c", 2));
  b.add(share(2, "B", "b", 1));
  b.add(share(1, "A", "a1", 2));
  return b.leaves();
}

TEST(WindowTree, LeafEncodingIsTheDocumentedV1Bytes) {
  const WindowLeaf leaf{"bcrt1qminer", "rig-1", 7, 42, 3, (kOne << 64) + 5};
  EXPECT_EQ(bitcoin::to_hex(encode_leaf(leaf)),
            "50504c4e532d6c6561662d7631"          // "PPLNS-leaf-v1"
            "0b" "6263727431716d696e6572"         // CompactSize 11, address
            "05" "7269672d31"                     // CompactSize 5, worker
            "0700000000000000" "2a00000000000000" "0300000000000000"  // first, last, count (u64le)
            "05000000000000000100000000000000");  // weight 2^64 + 5 (u128le)
  EXPECT_EQ(leaf_hash(leaf).internal_hex(), "8cb8f7850c9b59b76ee32a32f8c1c216a588887a867f93d53868c4120e653c6d");
}

TEST(WindowTree, LeavesAreAggregatedPerAddressAndWorkerWithThePplnsWeights) {
  const auto leaves = three_leaves();
  ASSERT_EQ(leaves.size(), 3u);
  // Largest difficulty 2: ilogb 1, so each share weighs difficulty x 2^89.
  EXPECT_EQ(leaves[0], (WindowLeaf{"A", "a1", 1, 5, 2, 3 * (kOne << 89)}));
  EXPECT_EQ(leaves[1], (WindowLeaf{"B", "b", 2, 2, 1, kOne << 89}));
  EXPECT_EQ(leaves[2], (WindowLeaf{"C", "c", 3, 3, 1, 2 * (kOne << 89)}));
  EXPECT_EQ(leaf_hash(leaves[0]).internal_hex(), "2b659318ccba8dca0a1b2d785c4b2e75a47cab56ddf85035c9483a2f8f2e95a7");
  EXPECT_EQ(leaf_hash(leaves[1]).internal_hex(), "640a1dbcc2beafc8d9302f0df5e4b28f9e05ec702bcabda5e5f7318a8e80ad65");
  EXPECT_EQ(leaf_hash(leaves[2]).internal_hex(), "3e9d43cad030516c6f9528eae2ca3f24e85bc0ff4ba1338e8284b569858b1d1b");
  // sha256d(sha256d(h0||h1) || sha256d(h2||h2)): the odd level duplicates its last node.
  EXPECT_EQ(window_root(leaves).internal_hex(), "6ff1e9973b646c43eb52fca5a97b87a15f2b9e921a9a280c28de328542b9384d");
}

TEST(WindowTree, OneLeafIsItsOwnRootAndAnEmptyWindowHasAZeroRoot) {
  const WindowLeaf leaf{"A", "w", 1, 1, 1, 5};
  EXPECT_EQ(window_root({leaf}), leaf_hash(leaf));
  EXPECT_TRUE(window_root({}).is_zero());
  WindowTreeBuilder empty(0);
  EXPECT_TRUE(empty.leaves().empty());
}

TEST(WindowTree, LeavesAreSortedByAddressThenWorkerAsBytes) {
  WindowTreeBuilder b(1);
  b.add(share(1, "b", "z", 1));
  b.add(share(2, "\xc3\xa9", "w", 1));  // "é": bytes above every ASCII byte
  b.add(share(3, "a", "y", 1));
  b.add(share(4, "B", "x", 1));  // 'B' < 'a' < 'b'
  b.add(share(5, "a", "Y", 1));
  b.add(share(6, "ab", "a", 1));  // a prefix sorts first: "a" < "ab"
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& l : b.leaves()) order.emplace_back(l.address, l.worker);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"B", "x"}, {"a", "Y"}, {"a", "y"}, {"ab", "a"}, {"b", "z"}, {"\xc3\xa9", "w"}};
  EXPECT_EQ(order, expected);
}

TEST(WindowTree, DecimalTextOfUnsigned128BitIntegers) {
  const unsigned __int128 max = ~static_cast<unsigned __int128>(0);
  EXPECT_EQ(u128_to_decimal(0), "0");
  EXPECT_EQ(u128_to_decimal(3 * (kOne << 90)), "3713820117856140824697372672");
  EXPECT_EQ(u128_to_decimal(max), "340282366920938463463374607431768211455");
  EXPECT_EQ(decimal_to_u128("340282366920938463463374607431768211455"), max);
  EXPECT_EQ(decimal_to_u128("0"), static_cast<unsigned __int128>(0));
  EXPECT_EQ(decimal_to_u128("3713820117856140824697372672"), 3 * (kOne << 90));
  for (const char* bad : {"", "01", "-1", "+1", "1 ", "12a", "340282366920938463463374607431768211456",
                          "9999999999999999999999999999999999999999"}) {
    EXPECT_FALSE(decimal_to_u128(bad)) << bad;
  }
}

TEST(WindowTree, RowsRoundTripAndADamagedWeightIsRefused) {
  const auto leaves = three_leaves();
  const auto rows = leaf_rows(leaves);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].index, 2);
  EXPECT_EQ(rows[2].weight, u128_to_decimal(2 * (kOne << 89)));
  EXPECT_EQ(rows[2].hash, leaf_hash(leaves[2]).internal_hex());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(leaf_from_row(rows[i]), leaves[i]);
  auto bad = rows[1];
  bad.weight = "12x";
  EXPECT_FALSE(leaf_from_row(bad));
  store::BlockWindow w;
  w.block_hash = "b1";
  w.reward_sats = 1000;
  EXPECT_THROW(split_committed(w, {rows[0], bad}), std::invalid_argument);
}

// Worked by hand: weights 3:1:2 (x 2^89), reward 1,000 sat, fee 1.2345% = 12,345 ppm.
// fee = floor(1000 x 12345 / 1e6) = 12; distributable 988; A floor(988 x 3/6) = 494,
// B floor(988 / 6) = 164, C floor(988 x 2/6) = 329; 987 credited, 1 sat rounding: pool 13.
TEST(WindowTree, SplitOfACommittedWindowWorkedByHand) {
  store::BlockWindow w;
  w.block_hash = "b1";
  w.reward_sats = 1000;
  w.fee_ppm = fee_ppm_of(1.2345);
  ASSERT_EQ(w.fee_ppm, 12345);
  const Split s = split_committed(w, leaf_rows(three_leaves()));
  EXPECT_EQ(s.fee_sats, 12);
  EXPECT_EQ(s.credits, (std::map<std::string, int64_t>{{"A", 494}, {"B", 164}, {"C", 329}}));
  EXPECT_EQ(s.remainder_sats, 1);
  EXPECT_EQ(s.pool_sats(), 13);
}

TEST(WindowTree, SplitCommittedEqualsPplnsWeightsOnRandomWindows) {
  std::mt19937_64 rng(1234);
  for (int round = 0; round < 400; ++round) {
    struct Row {
      std::string address, worker;
      double difficulty;
    };
    std::vector<Row> window;
    const int n = static_cast<int>(rng() % 60);  // sometimes empty
    for (int i = 0; i < n; ++i) {
      const double difficulty =
          std::ldexp(1.0 + static_cast<double>(rng() % 100000) / 7.0, -static_cast<int>(rng() % 50));
      window.push_back({"addr" + std::to_string(rng() % 6), "w" + std::to_string(rng() % 4), difficulty});
    }
    double max_difficulty = 0;
    for (const auto& r : window) max_difficulty = std::max(max_difficulty, r.difficulty);
    PplnsWeights weights(max_difficulty);
    WindowTreeBuilder tree(max_difficulty);
    for (size_t i = 0; i < window.size(); ++i) {
      weights.add(window[i].address, window[i].difficulty);
      tree.add(share(static_cast<int64_t>(window.size() - i), window[i].address, window[i].worker, window[i].difficulty));
    }
    const int64_t reward = static_cast<int64_t>(rng() % 2100000000000000ULL);
    const double fee = static_cast<double>(rng() % 1000001) / 10000.0;  // 0 .. 100%, 1 ppm steps
    store::BlockWindow w;
    w.block_hash = "b";
    w.reward_sats = reward;
    w.fee_ppm = fee_ppm_of(fee);
    const Split expected = weights.split(reward, fee);
    const Split got = split_committed(w, leaf_rows(tree.leaves()));
    EXPECT_EQ(got.credits, expected.credits) << round;
    EXPECT_EQ(got.fee_sats, expected.fee_sats) << round;
    EXPECT_EQ(got.remainder_sats, expected.remainder_sats) << round;
  }
}

}  // namespace
}  // namespace pool::accounting
