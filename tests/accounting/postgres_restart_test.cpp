// The PostgreSQL server restarts in the middle of a payout (a server of the test's own,
// tests/support/postgres_server: the shared one is never restarted). The leader's connections die
// at each payout checkpoint (before sendmany, after it, after the txid is recorded) and during
// the reconciliation that follows; the pool must reconnect, take its leadership back under a new
// epoch and end with each miner paid exactly once, nothing pending, and the ledger audit passing.
#include <gtest/gtest.h>

#include <filesystem>

#include "accounting/accounting_service.h"
#include "accounting/block_ledger.h"
#include "support/eventually.h"
#include "support/ledger_check.h"
#include "support/mining_helpers.h"
#include "support/payout_scenario.h"
#include "support/postgres_server.h"
#include "support/rpc_fault_proxy.h"
#include "support/shares.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

using namespace std::chrono_literals;
constexpr const char* kPrefix = "restart-test payout ";

class PostgresRestart : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      server_ = test::PostgresServer::start(&why_);
    } catch (const std::exception& e) {
      why_ = std::string("cannot start a PostgreSQL server: ") + e.what();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (!server_) {
      if (test::in_ci()) FAIL() << why_;
      GTEST_SKIP() << why_;
    }
    url = server_->create_database();
    store = store::open_store(url);
    books = store::open_store(url);  // the test's own reads, on connections of their own
    test::seed_owed_miners(*books);
    f.rpc->call("generatetoaddress", "[110,\"" + f.wallet_address + "\"]");  // spendable funds
    node::RpcOptions o = f.rpc_options();
    o.port = proxy.port();
    o.timeout = 15s;  // longer than a held listtransactions plus a restart
    wallet_rpc = std::make_unique<node::RpcClient>(o);
    wallet = std::make_unique<node::BitcoinNode>(*wallet_rpc);
  }

  /// Runs the leader until the miners are paid; the checkpoint `restart_at` restarts the server
  /// once. With `then_in_reconciliation`, the reconciliation that follows is held in its
  /// listtransactions call while the server restarts again.
  void pay_through_restart(const std::string& restart_at, bool then_in_reconciliation) {
    AccountingOptions o = test::paying_every_tick(kPrefix);
    std::atomic<bool> fired{false}, restarted{false};
    std::atomic<int> lists_before{-1};
    o.payouts.checkpoint = [&](const char* point) {
      if (point != restart_at || fired.exchange(true)) return;
      server_->restart();
      restarted = true;
      if (!then_in_reconciliation) return;
      lists_before = proxy.received("listtransactions");
      proxy.set_fault("listtransactions", test::Fault::kDelay, 20s, 1);
    };
    AccountingService service(*store, *wallet, o);
    service.start();
    if (then_in_reconciliation) {
      ASSERT_TRUE(test::eventually(
          [&] { return lists_before >= 0 && proxy.received("listtransactions") > lists_before; }, 20s));
      server_->restart();  // the reconciliation found the send; now it cannot record it
      proxy.release();
    }
    // (Read only after the restart, so a connection it closed is noticed here, not below.)
    const bool settled =
        test::eventually([&] { return restarted && test::payouts_settled(*books, *f.test_node); }, 30s);
    // Two more successful payout runs: nothing is paid again.
    const uint64_t runs = service.payout_runs();
    EXPECT_TRUE(test::eventually([&] { return service.payout_runs() >= runs + 2 && !service.payout_failing(); }, 10s));
    service.stop();
    EXPECT_TRUE(fired);
    EXPECT_TRUE(settled) << "not every miner was paid, or a payment stayed pending";
    EXPECT_EQ(proxy.forwarded("sendmany"), 1);  // before_send: the first run sent nothing
    test::expect_each_miner_paid_once(*books, *f.test_node);
    EXPECT_EQ(books->payments(std::string("sent"), 10).size(), 1u);
    test::expect_ledger_balances(*books, *f.node, kPrefix);
  }

  static inline std::unique_ptr<test::PostgresServer> server_;
  static inline std::string why_;
  test::NodeFixture f;
  test::RpcFaultProxy proxy{"127.0.0.1", f.test_node->port()};
  std::string url;
  std::unique_ptr<store::Store> store, books;
  std::unique_ptr<node::RpcClient> wallet_rpc;
  std::unique_ptr<node::BitcoinNode> wallet;
};

TEST_F(PostgresRestart, BeforeSendmanyTheUnsentPaymentIsReleasedAndPaidOnce) {
  pay_through_restart("before_send", false);
}

TEST_F(PostgresRestart, AfterSendmanyThePaymentIsCompletedByItsComment) { pay_through_restart("after_send", false); }

TEST_F(PostgresRestart, AfterTheTxidIsRecordedNothingIsPaidAgain) { pay_through_restart("after_record", false); }

TEST_F(PostgresRestart, DuringTheReconciliationThatFollowsItIsReconciledAgain) {
  pay_through_restart("after_send", true);
}

// Two instances on the restarted server, with a release grace as in production: both lose the
// lock; whichever takes it settles the payment (a payment the wallet has not seen only once the
// grace is over), and each miner is paid once.
TEST_F(PostgresRestart, TwoInstancesBothLoseTheLockAndTheNextLeaderSettles) {
  for (const std::string at : {"before_send", "after_send"}) {
    SCOPED_TRACE(at);
    const std::string db = server_->create_database();
    auto first_store = store::open_store(db), second_store = store::open_store(db), check = store::open_store(db);
    test::seed_owed_miners(*check);
    const std::string prefix = std::string(kPrefix) + at + " ";
    AccountingOptions o = test::paying_every_tick(prefix);
    o.payouts.release_grace = 200ms;
    std::atomic<bool> restarted{false};
    AccountingOptions first_options = o;
    first_options.payouts.checkpoint = [&](const char* point) {
      if (point != at || restarted) return;
      server_->restart();
      restarted = true;
    };
    node::BitcoinNode second_node(*f.rpc);
    AccountingService first(*first_store, *wallet, first_options);
    AccountingService second(*second_store, second_node, o);
    const auto paid_before = test::wallet_paid(*f.test_node, test::kOwedMiners.begin()->first);
    first.start();
    ASSERT_TRUE(test::eventually([&] { return first.is_leader(); }));
    second.start();
    const bool settled = test::eventually([&] {
      if (!restarted) return false;
      try {
        return check->payments(std::string("pending"), 10).empty() &&
               check->payments(std::string("sent"), 10).size() == 1;
      } catch (const store::StoreError&) {
        return false;
      }
    }, 30s);
    first.stop();
    second.stop();
    EXPECT_TRUE(settled) << "the payment was not settled";
    for (const auto& [address, sats] : test::kOwedMiners) {
      EXPECT_EQ(check->balances().at(address), 0) << address;
    }
    // One more output per miner in this round (the wallet is shared by the rounds).
    const auto paid_after = test::wallet_paid(*f.test_node, test::kOwedMiners.begin()->first);
    EXPECT_EQ(paid_after.second, paid_before.second + 1);
    test::expect_ledger_balances(*check, *f.node, prefix);
  }
}

// The block path across restarts: a block found right after one is stored once the ledger's
// retry reconnects, and crediting it across another restart credits it once.
TEST_F(PostgresRestart, ABlockFoundAfterARestartIsStoredAndCreditedOnce) {
  const std::string miner = test::kOwedMiners.begin()->first;
  store->insert_shares({test::share_at(miner, 1, 1000)});
  char tmpl[] = "/tmp/restart-spill-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path dir = tmpl;
  std::string hash;
  {
    BlockLedger ledger(*store, LedgerOptions{dir / "found-blocks.spill", 1ms, 4ms});
    ledger.start();
    server_->restart();
    PipelineRecorder recorder(ledger, "pplns");
    mining::BlockPipeline pipeline(
        *f.node, [&](const mining::FoundBlock& found, const bitcoin::Block& block) { recorder.before_submit(found, block); },
        [&](const mining::FoundBlock&, const mining::SubmitResult& result) { recorder.after_submit(result); });
    const auto found = test::find_block(*f.node, f.wallet_script, miner, 1500);
    pipeline.submit(found.found);
    pipeline.stop();  // submitted
    hash = found.block.header.hash().hex();
    EXPECT_TRUE(test::eventually([&] { return ledger.waiting().empty(); }));
    ledger.stop();
  }
  std::filesystem::remove_all(dir);
  f.rpc->call("generatetoaddress", "[99,\"" + f.wallet_address + "\"]");  // 100 confirmations
  server_->restart();
  const MaturityOptions maturity{"pplns", 1.0, 1e12, 100, 100};
  int credited = 0;
  EXPECT_TRUE(test::eventually([&] {
    try {
      credited += check_maturity(*store, *f.node, maturity);
      return credited > 0;
    } catch (const store::StoreError&) {
      return false;  // the call on the closed connection
    }
  }));
  EXPECT_EQ(check_maturity(*store, *f.node, maturity), 0);  // once
  const auto blocks = store->blocks(std::nullopt, 10);
  ASSERT_EQ(blocks.size(), 2u);  // the seeded one and ours
  EXPECT_EQ(blocks[0].hash, hash);
  EXPECT_EQ(blocks[0].status, "confirmed");
  EXPECT_EQ(store->balances().at(miner), test::kOwedMiners.at(miner) + 4950000000);
  test::expect_ledger_balances(*store, *f.node, kPrefix);
}

// Below the service: what one store does across a restart.
TEST_F(PostgresRestart, AStoreFailsOneCallWithStoreErrorThenReconnectsAndLeadsUnderANewEpoch) {
  ASSERT_TRUE(store->try_acquire_leadership());
  const int64_t epoch = store->leadership_epoch();
  const int64_t id = store->create_payment(test::kOwedMiners, kPrefix);
  server_->restart();
  // A call on the connection the restart closed fails cleanly (not a crash, not a hang) ...
  try {
    store->complete_payment(id, "00", 0);
    ADD_FAILURE() << "a write on a connection the server closed succeeded";
  } catch (const store::FencedError& e) {
    ADD_FAILURE() << "fenced, though no other instance took over: " << e.what();
  } catch (const store::StoreError&) {
  }
  // ... the restart ended the session that held the lock; the lone instance takes it again, in a
  // new term, and may then settle its own payment.
  EXPECT_TRUE(test::eventually([&] { return store->try_acquire_leadership(); }, 10s));
  EXPECT_GT(store->leadership_epoch(), epoch);
  EXPECT_NO_THROW(store->release_payment(id));
  EXPECT_EQ(store->payments(std::string("released"), 10).size(), 1u);
  test::expect_ledger_balances(*store, *f.node, kPrefix);
}

}  // namespace
}  // namespace pool::accounting
