// The accounting leader loses its PostgreSQL lock in the middle of a payout: two
// AccountingService instances share one database and one test-node wallet, and the first
// leader's lock session is killed (pg_terminate_backend) right before its sendmany, or right
// after it, before the txid is recorded. The second instance takes over and settles the payment
// by its comment; the old leader's later money writes are refused with FencedError; each miner
// is paid once and the ledger audit passes.
#include <gtest/gtest.h>

#include "accounting/accounting_service.h"
#include "support/eventually.h"
#include "support/failing_store.h"
#include "support/ledger_check.h"
#include "support/mining_helpers.h"
#include "support/payout_scenario.h"
#include "support/test_databases.h"

namespace pool::accounting {
namespace {

using namespace std::chrono_literals;
constexpr const char* kPrefix = "takeover-test payout ";

/// Passes every call to a real store and counts the money writes it refused with FencedError.
class FenceWatch : public test::FailingStore {
 public:
  using FailingStore::FailingStore;
  std::atomic<int> fenced{0};

 private:
  template <typename F>
  auto watch(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const store::FencedError&) {
      ++fenced;
      throw;
    }
  }

 public:
  int64_t create_payment(const std::map<std::string, int64_t>& amounts, const std::string& prefix) override {
    return watch([&] { return FailingStore::create_payment(amounts, prefix); });
  }
  void complete_payment(int64_t id, const std::string& txid, int64_t fee_sats) override {
    watch([&] { FailingStore::complete_payment(id, txid, fee_sats); });
  }
  void release_payment(int64_t id) override {
    watch([&] { FailingStore::release_payment(id); });
  }
};

class LeaderTakeover : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db = test::database_for_test("postgresql");
    if (!db) return;
    first_store = store::open_store(db->url());
    second_store = store::open_store(db->url());
    books = store::open_store(db->url());
    test::seed_owed_miners(*books);
    f.rpc->call("generatetoaddress", "[110,\"" + f.wallet_address + "\"]");  // spendable funds
    first_rpc = std::make_unique<node::RpcClient>(f.rpc_options());
    second_rpc = std::make_unique<node::RpcClient>(f.rpc_options());
    first_node = std::make_unique<node::BitcoinNode>(*first_rpc);
    second_node = std::make_unique<node::BitcoinNode>(*second_rpc);
  }

  /// Ends the database session that holds this database's leadership lock, and waits until it is gone.
  void kill_leader_session() {
    db->execute(
        "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND ((classid::bigint << 32) | objid::bigint) = 7092448328572821860");  // "bmp-lead"
  }

  std::optional<store::PaymentRecord> payment(int64_t id) {
    for (const auto& p : books->payments(std::nullopt, 100)) {
      if (p.id == id) return p;
    }
    return std::nullopt;
  }

  test::NodeFixture f;
  std::unique_ptr<test::TestDatabase> db;
  std::unique_ptr<store::Store> first_store, second_store, books;
  std::unique_ptr<node::RpcClient> first_rpc, second_rpc;
  std::unique_ptr<node::BitcoinNode> first_node, second_node;
};

TEST_P(LeaderTakeover, TheNewLeaderSettlesThePaymentAndTheOldOneIsFenced) {
  if (!db) return;
  const std::string at = GetParam();
  FenceWatch first_watch(*first_store);
  std::unique_ptr<AccountingService> second;
  std::atomic<bool> fired{false}, took_over{false}, settled_by_second{false};
  std::atomic<int64_t> payment_id{0};

  AccountingOptions first_options = test::paying_every_tick(kPrefix);
  first_options.payouts.checkpoint = [&](const char* point) {
    if (point != at || fired.exchange(true)) return;
    payment_id = books->payments(std::string("pending"), 10).at(0).id;
    kill_leader_session();
    // The second instance takes over while this one is still inside its payout, and settles the
    // payment: released and paid anew (nothing was sent) or completed by its comment (sent).
    took_over = test::eventually([&] { return second->is_leader(); }, 20s);
    settled_by_second = test::eventually([&] {
      const auto p = payment(payment_id);
      return p && p->status == (at == "before_send" ? "released" : "sent");
    }, 20s);
  };
  AccountingService first(first_watch, *first_node, first_options);
  second = std::make_unique<AccountingService>(*second_store, *second_node, test::paying_every_tick(kPrefix));
  first.start();
  ASSERT_TRUE(test::eventually([&] { return first.is_leader(); }));
  second->start();

  const bool settled = test::eventually([&] { return test::payouts_settled(*books, *f.test_node); }, 30s);
  EXPECT_TRUE(test::eventually([&] { return !first.is_leader(); }));
  EXPECT_TRUE(fired);
  EXPECT_TRUE(took_over) << "the second instance never took the lock over";
  EXPECT_TRUE(settled_by_second) << "the second instance did not settle payment " << payment_id;
  EXPECT_TRUE(settled) << "not every miner was paid, or a payment stayed pending";
  // After sendmany the old leader still tries to record its txid: refused, not applied.
  if (at == "after_send") {
    EXPECT_GE(first_watch.fenced.load(), 1);
  }
  // Any money write of the old leader is refused from now on.
  EXPECT_THROW(first_store->release_payment(payment_id), store::FencedError);
  first.stop();
  second->stop();

  test::expect_each_miner_paid_once(*books, *f.test_node);
  EXPECT_EQ(books->payments(std::string("sent"), 10).size(), 1u);
  test::expect_ledger_balances(*books, *f.node, kPrefix);
}

INSTANTIATE_TEST_SUITE_P(Checkpoints, LeaderTakeover, ::testing::Values("before_send", "after_send"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pool::accounting
