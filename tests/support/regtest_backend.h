#pragma once
// A regtest node for end-to-end tests: the project's test node, or a real `bitcoind -regtest`
// when one is on PATH or named by $BITCOIND. The same tests run against both.
#include <memory>
#include <optional>
#include <string>

#include "node/bitcoin_node.h"
#include "node/rpc_client.h"

namespace pool::test {

/// Owns a running regtest node, an RPC client for it and a funded wallet address.
class RegtestBackend {
 public:
  virtual ~RegtestBackend() = default;
  virtual std::string name() const = 0;
  /// Puts n transactions in the mempool (segwit, some chained so templates carry depends).
  virtual void add_transactions(int n) = 0;

  virtual uint16_t rpc_port() const = 0;
  /// Mines n blocks to the wallet address.
  void generate(int n);
  node::RpcClient& rpc() { return *rpc_; }
  node::BitcoinNode& node() { return *node_; }
  const std::string& wallet_address() const { return wallet_address_; }
  const bitcoin::Bytes& wallet_script() const { return wallet_script_; }

 protected:
  void connect(const node::RpcOptions& options, const std::string& wallet);
  std::unique_ptr<node::RpcClient> rpc_;
  std::unique_ptr<node::BitcoinNode> node_;
  std::string wallet_address_;
  bitcoin::Bytes wallet_script_;
};

/// The project's test node, in process.
std::unique_ptr<RegtestBackend> make_test_node_backend();

/// Path of a real bitcoind ($BITCOIND, else `bitcoind` on PATH), if any.
std::optional<std::string> find_bitcoind();
/// A real bitcoind -regtest in a fresh data directory, or nullptr when none is installed.
std::unique_ptr<RegtestBackend> make_bitcoind_backend();
inline constexpr const char* kBitcoindSkip =
    "SKIP: no real bitcoind (put it on PATH or set BITCOIND=/path/to/bitcoind to run this against Bitcoin Core)";

}  // namespace pool::test
