// PPLNS properties: exact sums, proportionality, fee rounding, window boundaries.
#include "accounting/pplns.h"

#include <gtest/gtest.h>

#include <random>

#include "support/shares.h"
#include "support/test_databases.h"

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

TEST(Pplns, WeightsRefuseAShareAboveTheDeclaredMaximum) {
  PplnsWeights weights(4);
  weights.add("A", 4);
  weights.add("B", 7.9);  // same power of two as the maximum: still exact
  EXPECT_THROW(weights.add("C", 8), std::logic_error);
  PplnsWeights empty(0);
  EXPECT_THROW(empty.add("A", 1), std::logic_error);
  EXPECT_EQ(empty.split(1000, 0).remainder_sats, 1000);  // nobody to pay
}

// The money path streams the window from the database; it must split exactly as the in-memory
// window does, whatever the shares.
class StreamedSplit : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamedSplit, EqualsTheInMemorySplit) {
  auto db = test::database_for_test(GetParam());
  if (!db) return;
  auto store = store::open_store(db->url());
  std::mt19937_64 rng(7);
  std::vector<mining::AcceptedShare> shares;
  for (int i = 0; i < 3000; ++i) {
    mining::AcceptedShare s;
    s.address = "addr" + std::to_string(rng() % 9);
    s.difficulty = std::ldexp(1.0 + static_cast<double>(rng() % 1000), static_cast<int>(rng() % 70) - 40);
    s.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1000 + i));
    s.hash = test::unique_share_hash();
    shares.push_back(s);
  }
  store->insert_shares(shares);
  for (int round = 0; round < 20; ++round) {
    const int64_t until = 1000 + static_cast<int64_t>(rng() % 3200);
    const double window = std::ldexp(1.0 + static_cast<double>(rng() % 100), static_cast<int>(rng() % 40));
    const int64_t reward = 312500000 + static_cast<int64_t>(rng() % 100000000);
    const Split in_memory = split_pplns(reward, 1.5, store::pplns_window(*store, until, window));
    const Split streamed = split_window(*store, until, window, reward, 1.5);
    EXPECT_EQ(streamed.credits, in_memory.credits) << "round " << round;
    EXPECT_EQ(streamed.pool_sats(), in_memory.pool_sats()) << "round " << round;
  }
  EXPECT_EQ(split_window(*store, 10, 100, 5000, 1.0).remainder_sats, 4950);  // before any share: all to the pool
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamedSplit, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

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
