// PoolStats: per-worker statistics stay bounded (idle workers evicted, a cap on the table) and a
// reader never holds up share handling.
#include "stratum/pool_stats.h"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

namespace pool::stratum {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

const Clock::time_point kT0 = Clock::time_point(seconds(1795475800));

std::set<std::string> names(const StatsSnapshot& s) {
  std::set<std::string> out;
  for (const auto& w : s.workers) out.insert(w.name);
  return out;
}

TEST(PoolStats, WorkersIdleForADayAreForgotten) {
  PoolStats stats;
  stats.share_accepted("a.old", "a", 1, kT0);
  stats.share_accepted("a.busy", "a", 1, kT0);
  stats.share_accepted("a.busy", "a", 1, kT0 + hours(23));
  EXPECT_EQ(names(stats.snapshot(kT0 + hours(23))), (std::set<std::string>{"a.old", "a.busy"}));
  const auto later = stats.snapshot(kT0 + hours(24) + seconds(1));
  EXPECT_EQ(names(later), (std::set<std::string>{"a.busy"}));
  EXPECT_EQ(later.accepted, 3u);  // pool totals are not affected by forgetting a worker
  EXPECT_EQ(later.workers[0].accepted, 2u);
  // A forgotten worker that comes back starts afresh.
  stats.share_accepted("a.old", "a", 1, kT0 + hours(25));
  const auto back = stats.snapshot(kT0 + hours(25));
  ASSERT_EQ(back.workers.size(), 2u);
  for (const auto& w : back.workers) {
    if (w.name == "a.old") {
      EXPECT_EQ(w.accepted, 1u);
    }
  }
}

TEST(PoolStats, TableIsCappedLeastRecentlyActiveFirst) {
  PoolStats stats(PoolStatsOptions{24 * 3600, 3});
  for (int i = 0; i < 6; ++i) stats.share_accepted("w" + std::to_string(i), "a", 1, kT0 + seconds(i));
  stats.share_accepted("w0", "a", 1, kT0 + seconds(10));  // w0 is active again
  EXPECT_EQ(names(stats.snapshot(kT0 + seconds(11))), (std::set<std::string>{"w0", "w4", "w5"}));
}

TEST(PoolStats, WithoutReadersPendingChangesStayBounded) {
  PoolStats stats(PoolStatsOptions{24 * 3600, 1000});
  // Far more distinct names than one shard keeps pending: the writer merges (and evicts) itself.
  for (int i = 0; i < 20000; ++i) stats.share_accepted("w" + std::to_string(i), "a", 1, kT0 + seconds(i));
  const auto s = stats.snapshot(kT0 + seconds(20000));
  EXPECT_EQ(s.workers.size(), 1000u);
  EXPECT_EQ(s.accepted, 20000u);
  EXPECT_EQ(names(s).count("w19999"), 1u);
  EXPECT_EQ(names(s).count("w0"), 0u);
}

TEST(PoolStats, RejectsOfNamesWithoutSharesAddNoWorkers) {
  PoolStats stats;
  for (int i = 0; i < 1000; ++i) stats.share_rejected("junk" + std::to_string(i), "unauthorized");
  stats.share_accepted("a.rig", "a", 2, kT0);
  stats.share_rejected("a.rig", "low-difficulty");
  const auto s = stats.snapshot(kT0);
  ASSERT_EQ(s.workers.size(), 1u);
  EXPECT_EQ(s.workers[0].rejected, 1u);
  EXPECT_EQ(s.rejects_by_reason.at("unauthorized"), 1000u);
  EXPECT_EQ(s.rejected, 1001u);
}

TEST(PoolStats, SharesFromSeveralThreadsAddUp) {
  PoolStats stats;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) stats.share_accepted("a.rig", "a", 1, kT0);
    });
  }
  for (auto& t : threads) t.join();
  const auto s = stats.snapshot(kT0);
  ASSERT_EQ(s.workers.size(), 1u);
  EXPECT_EQ(s.workers[0].accepted, 4000u);
  EXPECT_DOUBLE_EQ(s.workers[0].difficulty_sum, 4000);
  EXPECT_DOUBLE_EQ(s.hashrate, 4000 * 4294967296.0 / 600);
  EXPECT_EQ(s.workers[0].address, "a");
}

TEST(PoolStats, ReadingAHugeTableDoesNotHoldUpShares) {
  PoolStats stats(PoolStatsOptions{24 * 3600, 200000});
  for (int i = 0; i < 100000; ++i) stats.share_accepted("w" + std::to_string(i), "a", 1, kT0);
  std::promise<void> inside, release;
  auto released = release.get_future().share();
  size_t visited = 0;
  std::thread reader([&] {
    stats.visit_workers(kT0, [&](const WorkerSnapshot&) {
      if (visited++ == 0) {
        inside.set_value();
        released.wait();  // the reader stops in the middle of the table
      }
    });
  });
  inside.get_future().wait();
  // Meanwhile a Stratum thread records shares for known and new workers, and rejects.
  auto writer = std::async(std::launch::async, [&] {
    for (int i = 0; i < 1000; ++i) {
      stats.share_accepted("w" + std::to_string(i), "a", 1, kT0 + seconds(1));
      stats.share_accepted("new" + std::to_string(i), "b", 1, kT0 + seconds(1));
      stats.share_rejected("w" + std::to_string(i), "duplicate");
    }
  });
  // The writer must finish while the reader is still stopped. (If shares waited for the reader,
  // this would never become ready; the generous limit only turns a hang into a failure.)
  const bool finished = writer.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  EXPECT_TRUE(finished);
  release.set_value();
  reader.join();
  EXPECT_EQ(visited, 100000u);
  const auto s = stats.snapshot(kT0 + seconds(2));
  EXPECT_EQ(s.workers.size(), 101000u);
  EXPECT_EQ(s.accepted, 102000u);
  EXPECT_EQ(s.rejects_by_reason.at("duplicate"), 1000u);
}

}  // namespace
}  // namespace pool::stratum
