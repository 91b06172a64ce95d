// The pure payout plan: which balances a run pays.
#include "accounting/payout_plan.h"

#include <gtest/gtest.h>

namespace pool::accounting {
namespace {

const std::string kLower = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";
const std::string kUpper = "BCRT1Q7PDHXNQA2SJKHFZ5K5ASS9J0Y4J43V4G096Q0D";

// Accounts written before addresses were made canonical may hold one script under two spellings.
// Bitcoin Core refuses a sendmany naming one script twice (-8 duplicated address), which would
// stop every batch after it: one of them is paid, the other waits for a later run.
TEST(PayoutPlan, TwoSpellingsOfOneScriptAreNeverInOneRun) {
  const auto plan = select_payouts({{kLower, 200000}, {kUpper, 300000}}, {}, 10000, bitcoin::Network::kRegtest);
  ASSERT_EQ(plan.amounts.size(), 1u);
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_NE(plan.skipped[0].why.find("same script"), std::string::npos) << plan.skipped[0].why;
  EXPECT_EQ(plan.amounts.begin()->first == kLower ? kUpper : kLower, plan.skipped[0].address);
}

TEST(PayoutPlan, ThePoolAccountSmallBalancesAndBadAddressesAreNotPaid) {
  const auto plan = select_payouts({{"(pool)", 900000}, {kLower, 9999}, {"not-an-address", 500000}}, {}, 10000,
                                   bitcoin::Network::kRegtest);
  EXPECT_TRUE(plan.amounts.empty());
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_EQ(plan.skipped[0].address, "not-an-address");
}

}  // namespace
}  // namespace pool::accounting
