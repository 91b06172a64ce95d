// Payouts across kill -9: a child process is SIGKILLed before sendmany, after sendmany before the
// txid is recorded, and after; a restarted one reconciles. Each address receives its amount
// exactly once, and no balance is lost.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include "support/ledger_check.h"
#include "support/regtest_backend.h"
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

/// What the wallet sent to `address`: total satoshis and number of outputs (from
/// listtransactions, which Bitcoin Core and the test node both answer).
std::pair<int64_t, int> paid_to(node::RpcClient& rpc, const std::string& address) {
  const auto list = rpc.call("listtransactions", "[\"*\",1000,0,true]");
  int64_t sats = 0;
  int outputs = 0;
  for (const auto& e : list.GetArray()) {
    if (std::string(e["category"].GetString()) != "send" || !e.HasMember("address")) continue;
    if (e["address"].GetString() != address) continue;
    sats += -node::btc_to_sats(e["amount"].GetDouble());
    ++outputs;
  }
  return {sats, outputs};
}

class PayoutCrash : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(PayoutCrash, EveryAddressPaidExactlyOnce) {
  const auto& [backend_name, crash_point] = GetParam();
  auto backend = backend_name == "bitcoind" ? test::make_bitcoind_backend() : test::make_test_node_backend();
  if (!backend) GTEST_SKIP() << test::kBitcoindSkip;
  backend->generate(110);  // spendable funds
  auto db = test::make_sqlite_database();
  {
    auto store = store::open_store(db->url());
    store::BlockRecord b;
    b.hash = "ab";
    b.height = 1;
    b.reward_sats = 5000000000;
    store->insert_block(b);
    std::map<std::string, int64_t> credits(kOwed.begin(), kOwed.end());
    int64_t owed = 0;
    for (const auto& [address, sats] : kOwed) owed += sats;
    store->credit_block("ab", credits, b.reward_sats - owed);  // the rest is the pool's: the books balance
  }
  const uint16_t port = backend->rpc_port();
  const int crashed = run_helper(port, db->url(), crash_point);
  ASSERT_TRUE(WIFSIGNALED(crashed)) << "the helper should have been killed at " << crash_point;
  EXPECT_EQ(WTERMSIG(crashed), SIGKILL);
  const int restarted = run_helper(port, db->url(), "");
  ASSERT_TRUE(WIFEXITED(restarted));
  EXPECT_EQ(WEXITSTATUS(restarted), 0);
  EXPECT_EQ(WEXITSTATUS(run_helper(port, db->url(), "")), 0);  // and once more: nothing to do

  auto store = store::open_store(db->url());
  const auto sent = store->payments(std::string("sent"), 10);
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_TRUE(sent[0].fee_sats);  // recorded whichever way the payment was completed
  // Each address got its amount less its share of the network fee, in one output; the outputs
  // and the fee add up to what was owed.
  int64_t outputs_sum = 0, owed = 0;
  for (const auto& [address, sats] : kOwed) {
    const auto [paid, outputs] = paid_to(backend->rpc(), address);
    EXPECT_LE(paid, sats) << address;
    EXPECT_GT(paid, sats - *sent[0].fee_sats) << address;
    EXPECT_EQ(outputs, 1) << address;
    outputs_sum += paid;
    owed += sats;
  }
  EXPECT_EQ(outputs_sum + *sent[0].fee_sats, owed);
  EXPECT_TRUE(store->payments(std::string("pending"), 10).empty());
  for (const auto& [address, sats] : kOwed) EXPECT_EQ(store->balances().at(address), 0) << address;
  EXPECT_EQ(store->payments(std::string("sent"), 10).size(), 1u);
  test::expect_ledger_balances(*store, backend->node(), "crash-test payout ");
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, PayoutCrash,
                         ::testing::Combine(::testing::Values("testnode", "bitcoind"),
                                            ::testing::Values("before_send", "after_send", "after_record")),
                         [](const auto& info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param); });

}  // namespace
}  // namespace pool::accounting
