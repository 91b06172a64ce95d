// PPLNS properties: exact sums, proportionality, fee rounding, window boundaries.
#include "accounting/pplns.h"

#include <gtest/gtest.h>

#include <random>

namespace pool::accounting {
namespace {

int64_t total(const Split& s) {
  int64_t sum = s.pool_sats();
  for (const auto& [a, v] : s.credits) sum += v;
  return sum;
}

TEST(Pplns, CreditsPlusPoolEqualRewardExactlyForRandomWindows) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 500; ++round) {
    std::vector<store::WeightedShare> window;
    const int n = 1 + static_cast<int>(rng() % 50);
    for (int i = 0; i < n; ++i) {
      window.push_back({"addr" + std::to_string(rng() % 7), std::ldexp(1.0 + static_cast<double>(rng() % 1000), -static_cast<int>(rng() % 40))});
    }
    const int64_t reward = 1 + static_cast<int64_t>(rng() % 2100000000000000ULL);
    const double fee = static_cast<double>(rng() % 10001) / 100.0;  // 0.00% .. 100.00%
    const Split s = split_pplns(reward, fee, window);
    EXPECT_EQ(total(s), reward) << round;
    EXPECT_GE(s.remainder_sats, 0);
    EXPECT_LT(s.remainder_sats, static_cast<int64_t>(s.credits.size()) + 1);  // under 1 sat per miner
    for (const auto& [a, v] : s.credits) EXPECT_GT(v, 0);
  }
}

TEST(Pplns, ProportionalToDifficulty) {
  const Split s = split_pplns(1000000, 0, {{"A", 3}, {"B", 1}, {"A", 3}, {"C", 2}});  // A 6, B 1, C 2 of 9
  EXPECT_EQ(s.credits.at("A"), 666666);
  EXPECT_EQ(s.credits.at("B"), 111111);
  EXPECT_EQ(s.credits.at("C"), 222222);
  EXPECT_EQ(s.remainder_sats, 1);
  EXPECT_EQ(s.fee_sats, 0);
}

TEST(Pplns, FeeIsTakenFirstAndRoundedDown) {
  const Split s = split_pplns(5000000000, 1.0, {{"A", 1}});
  EXPECT_EQ(s.fee_sats, 50000000);
  EXPECT_EQ(s.credits.at("A"), 4950000000);
  const Split odd = split_pplns(999, 1.5, {{"A", 1}});  // 14.985 sat fee -> 14
  EXPECT_EQ(odd.fee_sats, 14);
  EXPECT_EQ(odd.credits.at("A"), 985);
  const Split all = split_pplns(1000, 100, {{"A", 1}});
  EXPECT_EQ(all.fee_sats, 1000);
  EXPECT_TRUE(all.credits.empty());
}

TEST(Pplns, EmptyWindowLeavesEverythingWithThePool) {
  const Split s = split_pplns(777, 1, {});
  EXPECT_TRUE(s.credits.empty());
  EXPECT_EQ(s.pool_sats(), 777);
}

TEST(Pplns, TinyAndHugeDifficultiesTogether) {
  const Split s = split_pplns(5000000000, 0, {{"big", 1e15}, {"tiny", 1e-9}});
  EXPECT_EQ(s.credits.at("big"), 5000000000 - s.remainder_sats);
  EXPECT_EQ(s.credits.count("tiny"), 0u);  // 5e-15 of a satoshi rounds to nothing
  EXPECT_EQ(total(s), 5000000000);
}

}  // namespace
}  // namespace pool::accounting
