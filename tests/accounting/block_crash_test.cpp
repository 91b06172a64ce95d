// Found blocks across kill -9: a child process finds a block and is SIGKILLed right after the
// spill/record step (before submitblock) or right after submitblock (before the answer is
// recorded); a restarted one finds it in the spill file or the database and submits it again.
// The block ends up in the store and on the node, exactly once.
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>

#include "store/store.h"
#include "support/ledger_check.h"
#include "support/regtest_backend.h"
#include "support/test_databases.h"

extern char** environ;

namespace pool::accounting {
namespace {

int run_helper(uint16_t port, const std::string& db, const std::string& spill, const std::string& crash_at) {
  std::vector<std::string> args = {BLOCK_CRASH_HELPER, std::to_string(port), db, spill};
  if (!crash_at.empty()) args.push_back(crash_at);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, BLOCK_CRASH_HELPER, nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

class BlockCrash : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(BlockCrash, FoundBlockIsStoredAndOnTheNodeExactlyOnce) {
  const auto& [backend_name, crash_point] = GetParam();
  auto backend = backend_name == "bitcoind" ? test::make_bitcoind_backend() : test::make_test_node_backend();
  if (!backend) GTEST_SKIP() << test::kBitcoindSkip;
  backend->generate(1);
  const int64_t start_height = backend->node().get_block_count();
  auto db = test::make_sqlite_database();
  char tmpl[] = "/tmp/block-crash-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::string spill = (dir / "found-blocks.spill").string();
  store::open_store(db->url());  // migrated before the child starts

  const int crashed = run_helper(backend->rpc_port(), db->url(), spill, crash_point);
  ASSERT_TRUE(WIFSIGNALED(crashed)) << "the helper should have been killed at " << crash_point;
  EXPECT_EQ(WTERMSIG(crashed), SIGKILL);
  const int restarted = run_helper(backend->rpc_port(), db->url(), spill, "");
  ASSERT_TRUE(WIFEXITED(restarted));
  EXPECT_EQ(WEXITSTATUS(restarted), 0);
  EXPECT_EQ(WEXITSTATUS(run_helper(backend->rpc_port(), db->url(), spill, "")), 0);  // once more: nothing to do

  auto store = store::open_store(db->url());
  const auto blocks = store->blocks(std::nullopt, 10);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].status, "pending");
  EXPECT_EQ(blocks[0].height, start_height + 1);
  EXPECT_EQ(backend->node().get_block_count(), start_height + 1);  // on the node once, as the tip
  EXPECT_EQ(backend->node().get_block_header(bitcoin::Uint256::from_hex(blocks[0].hash)).confirmations, 1);
  EXPECT_FALSE(std::filesystem::exists(spill));  // everything stored
  test::expect_ledger_balances(*store, backend->node(), "test payout ");
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, BlockCrash,
                         ::testing::Combine(::testing::Values("testnode", "bitcoind"),
                                            ::testing::Values("after_spill", "after_submit")),
                         [](const auto& info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param); });

}  // namespace
}  // namespace pool::accounting
