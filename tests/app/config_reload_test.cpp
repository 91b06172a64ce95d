// What SIGHUP may change without dropping miners, and what it leaves for a restart.
#include "app/config_reload.h"

#include <gtest/gtest.h>

namespace pool::app {
namespace {

const char* kBase = R"([bitcoin]
host = 127.0.0.1
port = 18443
[stratum]
port = 3333
difficulty = 1
[pool]
fee_percentage = 1.0
)";

TEST(ConfigReload, SameFileChangesNothing) {
  const Config a = load_config_text(kBase, "pool.ini");
  const ReloadPlan plan = plan_reload(a, load_config_text(kBase, "pool.ini"));
  EXPECT_TRUE(plan.empty());
  EXPECT_EQ(plan.summary(), "reload: nothing changed");
}

TEST(ConfigReload, LiveKeysAreAppliedAndTheRestWaitForARestart) {
  const Config running = load_config_text(kBase, "pool.ini");
  const Config loaded = load_config_text(R"([bitcoin]
host = 127.0.0.1
port = 18443
[stratum]
port = 3334
difficulty = 2
max_connections_per_ip = 50
[pool]
fee_percentage = 1.0
[log]
level = debug
)",
                                         "pool.ini");
  const ReloadPlan plan = plan_reload(running, loaded);
  ASSERT_EQ(plan.applied.size(), 3u);
  EXPECT_EQ(plan.applied[0].key, "[log] level");
  EXPECT_EQ(plan.applied[0].before, "(default)");
  EXPECT_EQ(plan.applied[1].key, "[stratum] difficulty");
  EXPECT_EQ(plan.applied[1].after, "2");
  EXPECT_EQ(plan.applied[2].key, "[stratum] max_connections_per_ip");
  ASSERT_EQ(plan.needs_restart.size(), 1u);
  EXPECT_EQ(plan.needs_restart[0].key, "[stratum] port");
  EXPECT_EQ(plan.summary(),
            "reload: applied [log] level (default) -> debug, [stratum] difficulty 1 -> 2, "
            "[stratum] max_connections_per_ip (default) -> 50; needs a restart (still running the old value): "
            "[stratum] port 3333 -> 3334");
}

TEST(ConfigReload, KeysWrittenInAnotherCaseOrLegacySectionNamesCompareEqual) {
  const Config running = load_config_text("[STRATUM]\nDifficulty = 1\n", "pool.ini");
  const Config loaded = load_config_text("[stratum]\ndifficulty = 1\n", "pool.ini");
  EXPECT_TRUE(plan_reload(running, loaded).empty());
}

TEST(ConfigReload, RemovingAKeyGoesBackToItsDefault) {
  const Config running = load_config_text("[pool]\nfee_percentage = 2\npayout_scheme = solo\n", "pool.ini");
  const Config loaded = load_config_text("[pool]\n", "pool.ini");
  const ReloadPlan plan = plan_reload(running, loaded);
  ASSERT_EQ(plan.applied.size(), 1u);
  EXPECT_EQ(plan.applied[0].after, "(default)");
  ASSERT_EQ(plan.needs_restart.size(), 1u);
  EXPECT_EQ(plan.needs_restart[0].key, "[pool] payout_scheme");
}

TEST(ConfigReload, PayoutMaxOutputsAppliesWithoutARestart) {
  const Config running = load_config_text("[pool]\npayout_max_outputs = 250\n", "pool.ini");
  const Config loaded = load_config_text("[pool]\npayout_max_outputs = 100\n", "pool.ini");
  const ReloadPlan plan = plan_reload(running, loaded);
  ASSERT_EQ(plan.applied.size(), 1u);
  EXPECT_EQ(plan.applied[0].key, "[pool] payout_max_outputs");
  EXPECT_TRUE(plan.needs_restart.empty());
}

}  // namespace
}  // namespace pool::app
