// The pool-wide duplicate set of a job: each share is new exactly once, whichever thread sends
// it, through every growth of the tables.
#include "mining/job_seen_set.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pool::mining {
namespace {

TEST(JobSeenSet, EachKeyIsNewOnceThroughGrowth) {
  JobSeenSet seen;
  for (uint64_t k = 0; k < 200000; ++k) ASSERT_TRUE(seen.insert_key(k * 0x9e3779b97f4a7c15ULL)) << k;
  for (uint64_t k = 0; k < 200000; ++k) ASSERT_FALSE(seen.insert_key(k * 0x9e3779b97f4a7c15ULL)) << k;
  EXPECT_EQ(seen.size(), 200000u);  // key 0 included
  const double bytes_per_key = static_cast<double>(seen.memory_bytes()) / static_cast<double>(seen.size());
  EXPECT_LE(bytes_per_key, 16.0);
}

TEST(JobSeenSet, HashesAreKeyedByTheirFirstEightBytes) {
  JobSeenSet seen;
  bitcoin::Uint256 a, b;
  a.data()[0] = 1;
  b.data()[0] = 1;
  b.data()[31] = 9;  // differs only past the key: the same share as far as the set knows
  EXPECT_TRUE(seen.insert(a));
  EXPECT_FALSE(seen.insert(a));
  EXPECT_FALSE(seen.insert(b));
}

TEST(JobSeenSet, ConcurrentSessionsCreditEachShareOnce) {
  JobSeenSet seen;
  constexpr int kThreads = 4;
  constexpr uint64_t kKeys = 50000;
  std::atomic<uint64_t> fresh{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    // Every thread submits every key (a replay storm from all sides).
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; i < kKeys; ++i) {
        const uint64_t k = ((i + static_cast<uint64_t>(t) * 7919) % kKeys) * 0xff51afd7ed558ccdULL + 1;
        if (seen.insert_key(k)) ++fresh;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(fresh.load(), kKeys);
  EXPECT_EQ(seen.size(), kKeys);
}

}  // namespace
}  // namespace pool::mining
