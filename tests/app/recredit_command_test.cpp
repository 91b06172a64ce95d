// `poold --recredit-payment ID --config FILE`, the real binary: exit 1 (and nothing credited) for
// a payment that does not exist, whose transaction may still pay, is only abandoned, or was
// replaced by a fee bump that confirmed; 0 once its transaction is conflicted payout_confirmations
// deep by a spend back to the wallet, crediting the miner back once however often it runs; 2 when
// the node is down.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "node/bitcoin_node.h"
#include "store/store.h"
#include "support/test_databases.h"
#include "testnode/test_node.h"

namespace pool::app {
namespace {

const std::string kMiner = "bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d";

struct CommandRun {
  int status;
  std::string output;
};

CommandRun poold_recredit(const std::string& config_path, int64_t id) {
  const std::string command =
      std::string(POOLD_PATH) + " --recredit-payment " + std::to_string(id) + " --config " + config_path + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(RecreditCommand, CreditsBackOnlyAPaymentThatWillNeverPayAndOnlyOnce) {
  testnode::TestNode node(testnode::TestNodeOptions{});
  node.start();
  node::RpcOptions ro;
  ro.port = node.port();
  ro.user = ro.password = "pool";
  node::RpcClient rpc(ro);
  node::BitcoinNode wallet(rpc);
  const std::string address = rpc.call("getnewaddress").GetString();
  rpc.call("generatetoaddress", "[110,\"" + address + "\"]");

  // A credited miner, paid in payment `id` (as run_payouts does it).
  auto db = test::make_sqlite_database();
  int64_t id = 0;
  std::string txid;
  {
    auto store = store::open_store(db->url());
    store::BlockRecord b;
    b.hash = "ab";
    b.reward_sats = 1000000;
    store->insert_block(b);
    store->credit_block("ab", {{kMiner, 1000000}}, 0);
    id = store->create_payment({{kMiner, 1000000}}, "recredit-test ");
    txid = wallet.send_many({{kMiner, 1000000}}, "recredit-test " + std::to_string(id));
    store->complete_payment(id, txid, -wallet.get_transaction(txid)->fee_sats);  // the wallet reports it negative
  }
  const auto config = std::filesystem::temp_directory_path() / ("recredit-" + std::to_string(::getpid()) + ".ini");
  std::ofstream(config) << "[bitcoin]\nuser = pool\npassword = pool\nport = " << node.port()
                        << "\n[pool]\npayout_confirmations = 3\n[database]\ndb_path = " << db->url() << "\n";
  auto balance = [&] { return store::open_store(db->url())->balances().at(kMiner); };

  const CommandRun unknown = poold_recredit(config.string(), id + 100);
  EXPECT_EQ(unknown.status, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("does not exist"), std::string::npos) << unknown.output;

  const CommandRun live = poold_recredit(config.string(), id);
  EXPECT_EQ(live.status, 1) << live.output;
  EXPECT_NE(live.output.find("may still pay"), std::string::npos) << live.output;
  EXPECT_EQ(balance(), 0);

  rpc.call("test_evicttransaction", "[\"" + txid + "\"]");
  rpc.call("abandontransaction", "[\"" + txid + "\"]");
  // Abandoned is not final (another node can still relay and mine it): spend its input back first.
  const CommandRun abandoned = poold_recredit(config.string(), id);
  EXPECT_EQ(abandoned.status, 1) << abandoned.output;
  EXPECT_NE(abandoned.output.find("Spend its inputs back to the wallet"), std::string::npos) << abandoned.output;
  EXPECT_EQ(balance(), 0);
  rpc.call("test_conflicttransaction", "[\"" + txid + "\"]");  // mined 1 deep
  rpc.call("generatetoaddress", "[2,\"" + address + "\"]");    // payout_confirmations = 3
  const CommandRun done = poold_recredit(config.string(), id);
  EXPECT_EQ(done.status, 0) << done.output;
  EXPECT_NE(done.output.find("reversed"), std::string::npos) << done.output;
  EXPECT_EQ(balance(), 1000000);
  const CommandRun again = poold_recredit(config.string(), id);
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("already reversed"), std::string::npos) << again.output;
  EXPECT_EQ(balance(), 1000000);  // not twice

  // A second payout, fee-bumped; the bump confirmed payout_confirmations deep, so the original
  // shows negative confirmations: it paid the miner, it is never credited back.
  {
    auto store = store::open_store(db->url());
    store::BlockRecord b;
    b.hash = "cd";
    b.reward_sats = 2000000;
    store->insert_block(b);
    store->credit_block("cd", {{kMiner, 2000000}}, 0);
    id = store->create_payment({{kMiner, 2000000}}, "recredit-test ");
    txid = wallet.send_many({{kMiner, 2000000}}, "recredit-test " + std::to_string(id));
    store->complete_payment(id, txid, -wallet.get_transaction(txid)->fee_sats);
  }
  rpc.call("bumpfee", "[\"" + txid + "\"]");
  rpc.call("generatetoaddress", "[4,\"" + address + "\"]");
  const CommandRun bumped = poold_recredit(config.string(), id);
  EXPECT_EQ(bumped.status, 1) << bumped.output;
  EXPECT_NE(bumped.output.find("was replaced by"), std::string::npos) << bumped.output;
  EXPECT_EQ(balance(), 1000000);  // only the first payout's credit back

  node.stop();
  const CommandRun down = poold_recredit(config.string(), id);
  EXPECT_EQ(down.status, 2) << down.output;
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace pool::app
