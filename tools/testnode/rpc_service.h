#pragma once
// The test node's JSON-RPC methods: the Bitcoin Core calls the pool uses, with Core's result
// shapes and error codes, plus a few test_* controls. Thread-safe (one mutex over all state).
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "testnode/chain.h"
#include "testnode/tx_factory.h"
#include "testnode/wallet.h"

namespace pool::testnode {

/// A JSON-RPC error with Bitcoin Core's code, e.g. {-8, "Block height out of range"}.
struct RpcFailure {
  int code;
  std::string message;
};

/// Owns the chain, the wallet and the transaction factory; answers JSON-RPC request bodies.
class RpcService {
 public:
  explicit RpcService(uint32_t bits = 0x207fffff, std::string wallet_name = "", std::string wallet_seed = "testnode");

  /// Handles one HTTP body (a request or a batch); sets *http_status as Core would (200, 404 for
  /// an unknown method, 500 for other errors) and returns the reply body.
  std::string handle(const std::string& body, int* http_status);

  /// Runs f with the state locked (for tests and the demo).
  void with_chain(const std::function<void(Chain&, Wallet&, TxFactory&)>& f);
  void on_tip_changed(std::function<void(const bitcoin::Uint256&)> callback);

 private:
  std::string dispatch(const std::string& method, const rapidjson::Value& params);
  /// encryptwallet, walletpassphrase, walletlock, test_sendmanyerror (wallet_rpc.cpp); nullopt for others.
  std::optional<std::string> dispatch_wallet_lock(const std::string& method, const rapidjson::Value& params);
  /// What became of wallet sends (rpc_wallet_state.cpp); nullopt for any other method.
  std::optional<std::string> dispatch_wallet_state(const std::string& method, const rapidjson::Value& params);
  /// getblock with verbosity 2 and getrawtransaction (rpc_transactions.cpp); nullopt for others.
  std::optional<std::string> dispatch_transactions(const std::string& method, const rapidjson::Value& params);
  std::string template_json();
  std::string block_header_json(const StoredBlock& b);
  std::string block_json(const StoredBlock& b);
  std::string add_transactions(int count);

  std::mutex mutex_;
  Chain chain_;
  Wallet wallet_;
  std::string wallet_name_, wallet_seed_;
  TxFactory factory_;
};

}  // namespace pool::testnode
