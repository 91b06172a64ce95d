// The RPC client against the test node over real sockets: auth, errors, outages, recovery.
#include "node/rpc_client.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "node/bitcoin_node.h"
#include "support/mining_helpers.h"

namespace pool::node {
namespace {

TEST(RpcClient, CallsReturnResultsAndReuseTheConnection) {
  test::NodeFixture f;
  const ChainInfo info = f.node->get_blockchain_info();
  EXPECT_EQ(info.chain, "regtest");
  EXPECT_EQ(info.network, bitcoin::Network::kRegtest);
  EXPECT_EQ(info.blocks, 0);
  EXPECT_EQ(f.node->get_block_hash(0)->hex(), "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
  EXPECT_EQ(f.node->get_best_block_hash(), *f.node->get_block_hash(0));
  EXPECT_EQ(f.node->get_block_count(), 0);
  EXPECT_GT(f.rpc->last_latency().count(), 0);
}

TEST(RpcClient, NodeErrorsCarryCoreCodes) {
  test::NodeFixture f;
  EXPECT_EQ(f.node->get_block_hash(5), std::nullopt);  // -8 Block height out of range
  try {
    f.rpc->call("nosuchmethod");
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code(), -32601);
  }
  try {
    f.node->get_block_header(bitcoin::Uint256::from_hex(std::string(64, '1')));
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code(), -5);
    EXPECT_EQ(e.rpc_message(), "Block not found");
  }
}

TEST(RpcClient, WrongPasswordSaysCredentials) {
  test::NodeFixture f;
  RpcOptions o = f.rpc_options();
  o.password = "wrong";
  RpcClient bad(o);
  try {
    bad.call("getblockcount");
    FAIL();
  } catch (const RpcTransportError& e) {
    EXPECT_NE(std::string(e.what()).find("credentials"), std::string::npos) << e.what();
  }
}

TEST(RpcClient, CookieFileAuthentication) {
  const auto cookie = std::filesystem::temp_directory_path() / ("pool-cookie-" + std::to_string(::getpid()));
  testnode::TestNodeOptions options;
  options.user = options.password = "";
  options.cookie_file = cookie.string();
  test::NodeFixture f(options);
  EXPECT_EQ(f.node->get_block_count(), 0);
  RpcOptions missing = f.rpc_options();
  missing.cookie_file = cookie.string() + ".missing";
  RpcClient client(missing);
  EXPECT_THROW(client.call("getblockcount"), RpcTransportError);
  std::filesystem::remove(cookie);
}

TEST(RpcClient, DownNodeIsATransportErrorAndRecoveryIsAutomatic) {
  test::NodeFixture f;
  EXPECT_EQ(f.node->get_block_count(), 0);
  f.test_node->stop();
  try {
    f.node->get_block_count();
    FAIL();
  } catch (const RpcTransportError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach node"), std::string::npos) << e.what();
  }
  f.test_node->start();  // same port
  EXPECT_EQ(f.node->get_block_count(), 0);
}

TEST(RpcClient, WalletCallsSendAndFindByComment) {
  test::NodeFixture f;
  f.rpc->call("generatetoaddress", "[101,\"" + f.wallet_address + "\"]");
  const int64_t balance = f.node->get_balance_sats();
  EXPECT_EQ(balance, 5000000000);  // one mature coinbase
  std::string miner;
  f.test_node->service().with_chain([&](auto&, auto& wallet, auto&) { miner = wallet.new_address(); });
  const std::string txid = f.node->send_many({{miner, 123456789}}, "payout-7");
  const auto tx = f.node->get_transaction(txid);
  ASSERT_TRUE(tx);
  EXPECT_EQ(tx->confirmations, 0);
  EXPECT_EQ(tx->comment, "payout-7");
  const auto found = f.node->find_sends_by_comment("payout-7");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].txid, txid);
  EXPECT_TRUE(f.node->find_sends_by_comment("payout-8").empty());
  // A payout buried under later sends is still found: the search pages back.
  for (int i = 0; i < 5; ++i) f.node->send_many({{miner, 100000 + i}}, "later-" + std::to_string(i));
  const auto deep = f.node->find_sends_by_comment("payout-7", 0, 2);
  ASSERT_EQ(deep.size(), 1u);
  EXPECT_EQ(deep[0].txid, txid);
  EXPECT_LT(f.node->get_balance_sats(), balance - 123456789);
  EXPECT_EQ(-tx->fee_sats, 13100);  // taken from the output: the wallet spent exactly the amount
  EXPECT_EQ(f.node->get_balance_sats(), balance - 123456789 - (5 * 100000 + 10));
  try {
    f.node->send_many({{miner, 100'000'000'000}}, "too-much");
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code(), -6);
  }
}

TEST(BtcAmounts, ConvertExactly) {
  EXPECT_EQ(btc_to_sats(0.001), 100000);
  EXPECT_EQ(btc_to_sats(20999999.97690000), 2099999997690000);
  EXPECT_EQ(sats_to_btc_string(100000), "0.00100000");
  EXPECT_EQ(sats_to_btc_string(5000000000), "50.00000000");
  EXPECT_EQ(sats_to_btc_string(-1), "-0.00000001");
}

}  // namespace
}  // namespace pool::node
