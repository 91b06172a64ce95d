#pragma once
// Test helpers for the work path: an in-process test node with an RPC client, and a solver that
// finds a nonce meeting a target (regtest targets are met within a few tries).
#include <memory>

#include "mining/block_assembler.h"
#include "mining/block_pipeline.h"
#include "node/bitcoin_node.h"
#include "node/rpc_client.h"
#include "testnode/test_node.h"

namespace pool::test {

/// Owns a running TestNode and a BitcoinNode client connected to it.
struct NodeFixture {
  explicit NodeFixture(testnode::TestNodeOptions options = {});
  ~NodeFixture();
  node::RpcOptions rpc_options() const;

  std::unique_ptr<testnode::TestNode> test_node;
  std::unique_ptr<node::RpcClient> rpc;
  std::unique_ptr<node::BitcoinNode> node;
  /// A wallet address of the test node, and its script.
  std::string wallet_address;
  bitcoin::Bytes wallet_script;
};

/// A block the pool finds on the node's current template, paying `payout_script`; the winning
/// share is `finder_address`'s at `found_ms`. The block is assembled, not submitted.
struct FoundBlockForTest {
  mining::FoundBlock found;
  bitcoin::Block block;
};
FoundBlockForTest find_block(node::BitcoinNode& node, const bitcoin::Bytes& payout_script,
                             const std::string& finder_address, int64_t found_ms);

/// Searches nonces from 0 until the solution's header hash meets `target`.
mining::Solution solve(const mining::Job& job, mining::Solution solution, const bitcoin::Target& target);
/// A solution template with extranonces of the job's sizes and the job's ntime and version.
mining::Solution base_solution(const mining::Job& job, uint8_t fill = 0x11);

}  // namespace pool::test
