// Back-off for failing periodic jobs (payout runs): waits double up to the cap, success resets.
#include "util/retry_schedule.h"

#include <gtest/gtest.h>

namespace pool::util {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RetrySchedule, DueUntilAFailureThenWaitsDoublingUpToTheCap) {
  RetrySchedule retry(seconds(30), seconds(100));
  const auto t0 = RetrySchedule::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(retry.due(t0));
  EXPECT_FALSE(retry.failing());
  EXPECT_EQ(retry.failed(t0), seconds(30));
  EXPECT_TRUE(retry.failing());
  EXPECT_FALSE(retry.due(t0 + seconds(29)));
  EXPECT_TRUE(retry.due(t0 + seconds(30)));
  EXPECT_EQ(retry.failed(t0 + seconds(30)), seconds(60));
  EXPECT_FALSE(retry.due(t0 + seconds(89)));
  EXPECT_EQ(retry.failed(t0 + seconds(90)), seconds(100));  // capped, not 120
  EXPECT_EQ(retry.failed(t0 + seconds(190)), seconds(100));
  retry.succeeded();
  EXPECT_FALSE(retry.failing());
  EXPECT_TRUE(retry.due(t0 + seconds(191)));  // a success ends the waiting at once
  EXPECT_EQ(retry.failed(t0 + seconds(191)), seconds(30));  // and starts the doubling over
}

TEST(RetrySchedule, CapBelowTheInitialWaitRaisesTheCap) {
  RetrySchedule retry(seconds(30), seconds(5));
  const auto t0 = RetrySchedule::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(retry.failed(t0), seconds(30));
  EXPECT_EQ(retry.failed(t0 + seconds(30)), seconds(30));
}

}  // namespace
}  // namespace pool::util
