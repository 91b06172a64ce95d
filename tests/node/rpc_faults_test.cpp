// The RPC client against a node that misbehaves (through tests/support/rpc_fault_proxy): real
// deadlines on hung and half-answering nodes, and calls that move money on the wire at most once.
#include <gtest/gtest.h>

#include <future>

#include "node/bitcoin_node.h"
#include "node/rpc_client.h"
#include "support/eventually.h"
#include "support/mining_helpers.h"
#include "support/rpc_fault_proxy.h"

namespace pool::node {
namespace {

using namespace std::chrono_literals;
using test::Fault;

struct ProxiedNode {
  explicit ProxiedNode(std::chrono::milliseconds timeout = 5000ms) : proxy("127.0.0.1", f.test_node->port()) {
    RpcOptions o = f.rpc_options();
    o.port = proxy.port();
    o.timeout = timeout;
    o.max_attempts = 3;
    rpc = std::make_unique<RpcClient>(o);
    node = std::make_unique<BitcoinNode>(*rpc);
  }
  test::NodeFixture f;
  test::RpcFaultProxy proxy;
  std::unique_ptr<RpcClient> rpc;
  std::unique_ptr<BitcoinNode> node;
};

/// Runs `call` on another thread and says how it ended within `limit` ("returned", the
/// exception's message, or "still blocked"). If it is still blocked, the proxy's faults are
/// cleared and its stalls released so the thread can finish.
std::string outcome_within(ProxiedNode& n, std::chrono::milliseconds limit, const std::function<void()>& call) {
  auto done = std::async(std::launch::async, [&]() -> std::string {
    try {
      call();
      return "returned";
    } catch (const RpcTransportError& e) {
      return std::string("transport: ") + e.what();
    }
  });
  if (done.wait_for(limit) != std::future_status::ready) {
    n.proxy.clear_faults();
    n.proxy.release();
    done.get();
    return "still blocked";
  }
  return done.get();
}

TEST(RpcDeadlines, NodeThatAcceptsAndNeverAnswersTimesOut) {
  ProxiedNode n(300ms);
  EXPECT_EQ(n.node->get_block_count(), 0);  // a kept-alive connection first
  n.proxy.set_fault("*", Fault::kHang);
  // Generous bound: a 300 ms deadline must not turn into waiting for the node forever.
  const std::string r = outcome_within(n, 10s, [&] { n.node->get_block_count(); });
  EXPECT_NE(r.find("timed out"), std::string::npos) << r;
  // A timed-out call is not tried again against a hung node.
  EXPECT_TRUE(test::eventually([&] { return n.proxy.received("getblockcount") == 2; }));
  EXPECT_EQ(n.proxy.received("getblockcount"), 2);
  n.proxy.clear_faults();
  n.proxy.release();
  EXPECT_EQ(n.node->get_block_count(), 0);  // and the client recovers
}

TEST(RpcDeadlines, HalfAReplyThenSilenceTimesOut) {
  ProxiedNode n(300ms);
  n.proxy.set_fault("getblockchaininfo", Fault::kHalfReply);
  const std::string r = outcome_within(n, 10s, [&] { n.node->get_blockchain_info(); });
  EXPECT_NE(r.find("timed out"), std::string::npos) << r;
  n.proxy.clear_faults();
  n.proxy.release();
  EXPECT_EQ(n.node->get_blockchain_info().chain, "regtest");
}

TEST(RpcDeadlines, LostReplyOfAReadIsRetried) {
  ProxiedNode n;
  n.proxy.set_fault("getblockcount", Fault::kDropReply, {}, 1);
  EXPECT_EQ(n.node->get_block_count(), 0);
  EXPECT_EQ(n.proxy.forwarded("getblockcount"), 2);
}

class SendOnce : public ::testing::Test {
 protected:
  void SetUp() override {
    n.f.rpc->call("generatetoaddress", "[101,\"" + n.f.wallet_address + "\"]");
    n.f.test_node->service().with_chain([&](auto&, auto& wallet, auto&) { miner = wallet.new_address(); });
    EXPECT_EQ(n.node->get_block_count(), 101);  // the proxied client has a kept-alive connection
  }
  int wallet_sends() {
    int sends = 0;
    n.f.test_node->service().with_chain([&](auto&, auto& wallet, auto&) { sends = static_cast<int>(wallet.sends().size()); });
    return sends;
  }
  ProxiedNode n;
  std::string miner;
};

TEST_F(SendOnce, LostSendmanyReplyIsOutcomeUnknownAndNeverResent) {
  n.proxy.set_fault("sendmany", Fault::kDropReply);
  EXPECT_THROW(n.node->send_many({{miner, 100000}}, "payout-1"), RpcOutcomeUnknown);
  EXPECT_EQ(n.proxy.forwarded("sendmany"), 1);
  EXPECT_EQ(wallet_sends(), 1);  // it did run, once
  EXPECT_EQ(n.node->find_sends_by_comment("payout-1").size(), 1u);
}

TEST_F(SendOnce, SendmanyByMethodNameIsOnceEvenWithoutTheFlag) {
  n.proxy.set_fault("sendmany", Fault::kDropReply);
  EXPECT_THROW(n.rpc->call("sendmany", "[\"\",{\"" + miner + "\":0.001},1,\"raw\"]"), RpcOutcomeUnknown);
  EXPECT_EQ(n.proxy.forwarded("sendmany"), 1);
  EXPECT_EQ(wallet_sends(), 1);
}

TEST_F(SendOnce, HungSendmanyTimesOutAsOutcomeUnknown) {
  n.rpc = std::make_unique<RpcClient>([&] {
    RpcOptions o = n.rpc->options();
    o.timeout = 300ms;
    return o;
  }());
  n.node = std::make_unique<BitcoinNode>(*n.rpc);
  n.proxy.set_fault("sendmany", Fault::kHang);
  const std::string r = outcome_within(n, 10s, [&] {
    try {
      n.node->send_many({{miner, 100000}}, "payout-2");
    } catch (const RpcOutcomeUnknown& e) {
      throw RpcTransportError(std::string("unknown: ") + e.what());
    }
  });
  EXPECT_EQ(r.rfind("transport: unknown: ", 0), 0u) << r;
  EXPECT_NE(r.find("timed out"), std::string::npos) << r;
  EXPECT_TRUE(test::eventually([&] { return n.proxy.received("sendmany") == 1; }));
  n.proxy.release();
}

TEST_F(SendOnce, SendmanyThatNeverLeftIsRetriedOrReportedAsNotSent) {
  // Nothing listens: the request provably never left, so this is a plain transport error (not
  // an unknown outcome), and nothing was sent.
  RpcOptions o = n.rpc->options();
  n.rpc.reset();
  {
    test::RpcFaultProxy gone("127.0.0.1", n.f.test_node->port());
    o.port = gone.port();
  }
  RpcClient client(o);
  BitcoinNode node(client);
  try {
    node.send_many({{miner, 100000}}, "payout-3");
    FAIL();
  } catch (const RpcOutcomeUnknown& e) {
    FAIL() << e.what();
  } catch (const RpcTransportError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach"), std::string::npos) << e.what();
  }
  EXPECT_EQ(wallet_sends(), 0);
}

}  // namespace
}  // namespace pool::node
