// Payouts across kill -9: a child process is SIGKILLed before sendmany, after sendmany before the
// txid is recorded, and after; a restarted one reconciles. Each address receives its amount
// exactly once, and no balance is lost.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include "support/mining_helpers.h"
#include "support/test_databases.h"
#include "store/store.h"
#include "util/json.h"

extern char** environ;

namespace pool::accounting {
namespace {

const std::vector<std::pair<std::string, int64_t>> kOwed = {
    {"bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d", 123456789},
    {"mzK9g4H81upAGbH8BQpM9pkEqS4RfyzaAz", 987654321},
};

/// Runs the helper; returns its wait status.
int run_helper(uint16_t port, const std::string& db, const std::string& crash_at) {
  std::vector<std::string> args = {PAYOUT_CRASH_HELPER, std::to_string(port), db};
  if (!crash_at.empty()) args.push_back(crash_at);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, PAYOUT_CRASH_HELPER, nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

class PayoutCrash : public ::testing::TestWithParam<std::string> {};

TEST_P(PayoutCrash, EveryAddressPaidExactlyOnce) {
  test::NodeFixture f;
  f.rpc->call("generatetoaddress", "[110,\"" + f.wallet_address + "\"]");  // spendable funds
  auto db = test::make_sqlite_database();
  {
    auto store = store::open_store(db->url());
    store::BlockRecord b;
    b.hash = "ab";
    b.height = 1;
    b.reward_sats = 5000000000;
    store->insert_block(b);
    std::map<std::string, int64_t> credits(kOwed.begin(), kOwed.end());
    store->credit_block("ab", credits, 0);
  }
  const int crashed = run_helper(f.test_node->port(), db->url(), GetParam());
  ASSERT_TRUE(WIFSIGNALED(crashed)) << "the helper should have been killed at " << GetParam();
  EXPECT_EQ(WTERMSIG(crashed), SIGKILL);
  const int restarted = run_helper(f.test_node->port(), db->url(), "");
  ASSERT_TRUE(WIFEXITED(restarted));
  EXPECT_EQ(WEXITSTATUS(restarted), 0);
  EXPECT_EQ(WEXITSTATUS(run_helper(f.test_node->port(), db->url(), "")), 0);  // and once more: nothing to do

  for (const auto& [address, sats] : kOwed) {
    auto paid = util::parse_json(util::to_json(f.rpc->call("test_paidto", "[\"" + address + "\"]")));
    EXPECT_EQ(paid["amount_sats"].GetInt64(), sats) << address;
    EXPECT_EQ(paid["outputs"].GetInt(), 1) << address;
  }
  auto store = store::open_store(db->url());
  EXPECT_TRUE(store->payments(std::string("pending"), 10).empty());
  for (const auto& [address, sats] : kOwed) EXPECT_EQ(store->balances().at(address), 0) << address;
  EXPECT_EQ(store->payments(std::string("sent"), 10).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, PayoutCrash, ::testing::Values("before_send", "after_send", "after_record"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
