#include "stratum/vardiff.h"

#include <gtest/gtest.h>

namespace pool::stratum {
namespace {

VarDiffOptions opts() {
  VarDiffOptions o;
  o.initial = 1;
  o.minimum = 0.01;
  o.maximum = 1000;
  o.target_seconds = 10;
  o.window_shares = 10;
  o.window_seconds = 60;
  return o;
}

TEST(VarDiff, FastMinerGoesUpAtMostFourfoldPerRetarget) {
  VarDiff v(opts(), 0);
  std::optional<double> changed;
  for (int i = 1; i <= 10; ++i) changed = v.on_share(i * 1.0);  // one share a second
  ASSERT_TRUE(changed);
  EXPECT_DOUBLE_EQ(*changed, 4);
  for (int i = 1; i <= 10; ++i) changed = v.on_share(10 + i * 4.0);  // 4 s apart at difficulty 4
  ASSERT_TRUE(changed);
  EXPECT_DOUBLE_EQ(*changed, 10);
}

TEST(VarDiff, SteadyMinerIsLeftAlone) {
  VarDiff v(opts(), 0);
  for (int i = 1; i <= 30; ++i) EXPECT_FALSE(v.on_share(i * 10.5)) << i;
}

TEST(VarDiff, QuietMinerGoesDown) {
  VarDiff v(opts(), 0);
  EXPECT_FALSE(v.on_tick(30));
  const auto changed = v.on_tick(61);
  ASSERT_TRUE(changed);
  EXPECT_DOUBLE_EQ(*changed, 0.25);
}

TEST(VarDiff, ClampsToBoundsAndSuggestion) {
  VarDiffOptions o = opts();
  o.initial = 5000;
  VarDiff v(o, 0);
  EXPECT_DOUBLE_EQ(v.difficulty(), 1000);
  EXPECT_EQ(v.suggest(2000, 0), std::nullopt);  // above max: clamped to 1000, unchanged
  VarDiff w(opts(), 0);
  EXPECT_EQ(w.suggest(64, 0), 64);
  for (int i = 0; i < 10; ++i) w.on_tick(100.0 * (i + 1));  // quiet for a long time
  EXPECT_DOUBLE_EQ(w.difficulty(), 64);                      // never below the suggestion
  VarDiff x(opts(), 0);
  x.suggest(0.0001, 0);  // below the pool minimum
  for (int i = 0; i < 20; ++i) x.on_tick(100.0 * (i + 1));
  EXPECT_DOUBLE_EQ(x.difficulty(), 0.01);
}

TEST(VarDiff, TinyRegtestDifficulties) {
  VarDiffOptions o = opts();
  o.initial = 1e-9;
  o.minimum = 1e-9;
  VarDiff v(o, 0);
  EXPECT_DOUBLE_EQ(v.difficulty(), 1e-9);
}

}  // namespace
}  // namespace pool::stratum
