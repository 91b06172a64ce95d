// The API never waits on the node or the store: with a node call hung (fault proxy) and the
// store snapshot refresher blocked, /metrics and /api/... still answer, from the last snapshot.
#include "api/api_service.h"

#include <gtest/gtest.h>

#include <future>

#include "node/rpc_client.h"
#include "support/eventually.h"
#include "support/mining_helpers.h"
#include "support/rpc_fault_proxy.h"
#include "support/test_databases.h"

namespace pool::api {
namespace {

using namespace std::chrono_literals;

/// A gate the refresher's store read waits at while closed.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool closed = false;
  int waiting = 0;
  void wait() {
    std::unique_lock lock(mutex);
    ++waiting;
    cv.wait(lock, [&] { return !closed; });
    --waiting;
  }
  void set(bool c) {
    {
      std::lock_guard lock(mutex);
      closed = c;
    }
    cv.notify_all();
  }
  int waiters() {
    std::lock_guard lock(mutex);
    return waiting;
  }
};

TEST(ApiService, AnswersWhileTheNodeHangsAndTheStoreRefresherIsBlocked) {
  test::NodeFixture f;
  test::RpcFaultProxy proxy("127.0.0.1", f.test_node->port());
  node::RpcOptions o = f.rpc_options();
  o.port = proxy.port();
  o.timeout = 60s;  // the hang outlasts the test: only release() ends it
  node::RpcClient rpc(o);
  rpc.call("getblockcount");

  auto db = test::make_sqlite_database();
  auto store = store::open_store(db->url());
  store::BlockRecord b;
  b.hash = std::string(64, 'a');
  b.height = 7;
  b.status = "pending";
  b.reward_sats = 5000000000;
  store->insert_block(b);
  store->credit_block(b.hash, {{"bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d", 1000}}, 0);

  Gate gate;
  stratum::PoolStats stats;
  mining::JobRegistry jobs;
  std::atomic<uint64_t> duplicates{3};
  std::atomic<uint64_t> refused{2};
  ApiSources sources;
  sources.stats = &stats;
  sources.store = store.get();
  sources.jobs = &jobs;
  sources.network = bitcoin::Network::kRegtest;
  sources.node_rpc_latency_ms = [&] { return rpc.last_latency().count() / 1000.0; };
  sources.payout_duplicate_sends = &duplicates;
  sources.payout_refused = &refused;
  std::atomic<int64_t> in_trouble{2};
  sources.payouts_in_trouble = &in_trouble;
  sources.store_refresh = 10ms;
  sources.read_snapshot = [&] {
    gate.wait();
    return read_store_snapshot(*store);
  };
  ApiService api(sources);

  // The node hangs in the middle of a call (the client's mutex is held) ...
  proxy.set_fault("*", test::Fault::kHang);
  auto hung = std::async(std::launch::async, [&] {
    try {
      rpc.call("getblockcount");
    } catch (const std::exception&) {
    }
  });
  ASSERT_TRUE(test::eventually([&] { return proxy.received("getblockcount") == 2; }));
  // ... and the store refresher is stuck in a query.
  gate.set(true);
  ASSERT_TRUE(test::eventually([&] { return gate.waiters() == 1; }));

  auto get = [&](const std::string& target) {
    return std::async(std::launch::async, [&api, target] { return api.handle(net::HttpRequest{"GET", target, "", ""}); });
  };
  auto metrics = get("/metrics");
  auto blocks = get("/api/blocks");
  auto miner = get("/api/miners/bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d");
  auto pool = get("/api/pool");
  const bool answered = metrics.wait_for(10s) == std::future_status::ready &&
                        blocks.wait_for(10s) == std::future_status::ready &&
                        miner.wait_for(10s) == std::future_status::ready && pool.wait_for(10s) == std::future_status::ready;
  // Unblock everything before judging, so a failure does not leave threads hanging.
  proxy.clear_faults();
  proxy.release();
  gate.set(false);
  hung.get();
  ASSERT_TRUE(answered) << "a request waited on the node or the store";

  const auto m = metrics.get();
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("pool_blocks{status=\"confirmed\"} 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("pool_payout_duplicate_sends_total 3\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("pool_payout_refused_total 2\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("pool_payouts_in_trouble 2\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("pool_node_rpc_latency_ms "), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("pool_api_snapshot_age_seconds "), std::string::npos) << m.body;
  const auto bl = blocks.get();
  EXPECT_EQ(bl.status, 200);
  EXPECT_NE(bl.body.find(b.hash), std::string::npos) << bl.body;
  const auto mi = miner.get();
  EXPECT_EQ(mi.status, 200);
  EXPECT_NE(mi.body.find("\"balance_sats\":1000"), std::string::npos) << mi.body;
  EXPECT_EQ(pool.get().status, 200);
}

TEST(ApiService, SnapshotFollowsTheStore) {
  auto db = test::make_sqlite_database();
  auto store = store::open_store(db->url());
  stratum::PoolStats stats;
  mining::JobRegistry jobs;
  ApiSources sources;
  sources.stats = &stats;
  sources.store = store.get();
  sources.jobs = &jobs;
  sources.network = bitcoin::Network::kRegtest;
  sources.store_refresh = 10ms;
  ApiService api(sources);
  EXPECT_EQ(api.handle(net::HttpRequest{"GET", "/api/blocks", "", ""}).body, "[]");
  store::BlockRecord b;
  b.hash = std::string(64, 'b');
  b.height = 3;
  b.status = "pending";
  store->insert_block(b);
  EXPECT_TRUE(test::eventually(
      [&] { return api.handle(net::HttpRequest{"GET", "/api/blocks", "", ""}).body.find(b.hash) != std::string::npos; }));
}

}  // namespace
}  // namespace pool::api
