// The test node's wallet encryption RPCs (encryptwallet, walletpassphrase, walletlock) as
// Bitcoin Core answers them, and the test_sendmanyerror control that makes sendmany refuse.
#include "testnode/rpc_service.h"

namespace pool::testnode {

namespace {

const rapidjson::Value& arg(const rapidjson::Value& params, rapidjson::SizeType i) {
  if (!params.IsArray() || params.Size() <= i) throw RpcFailure{-1, "missing parameter " + std::to_string(i + 1)};
  return params[i];
}

std::string string_arg(const rapidjson::Value& params, rapidjson::SizeType i) {
  const auto& v = arg(params, i);
  if (!v.IsString()) throw RpcFailure{-3, "Expected type string for parameter " + std::to_string(i + 1)};
  return v.GetString();
}

}  // namespace

std::optional<std::string> RpcService::dispatch_wallet_lock(const std::string& method, const rapidjson::Value& params) {
  if (method == "encryptwallet") {
    wallet_.encrypt(string_arg(params, 0));
    return std::string(
        "\"wallet encrypted; The keypool has been flushed and a new HD seed was generated. You need to make a new "
        "backup with the backupwallet RPC.\"");
  }
  if (method == "walletpassphrase") {
    const std::string passphrase = string_arg(params, 0);
    const auto& timeout = arg(params, 1);
    if (!timeout.IsInt64() || timeout.GetInt64() < 0) throw RpcFailure{-8, "Timeout cannot be negative."};
    wallet_.unlock(passphrase, chain_.now() + static_cast<uint32_t>(std::min<int64_t>(timeout.GetInt64(), 100000000)));
    return std::string("null");
  }
  if (method == "walletlock") {
    wallet_.lock();
    return std::string("null");
  }
  if (method == "test_sendmanyerror") {
    // [code, message, after_commit]: every sendmany fails so until called with no parameters;
    // with after_commit true, once its transaction is in the wallet and the mempool.
    if (!params.IsArray() || params.Empty()) {
      wallet_.fail_sends_with(std::nullopt);
    } else {
      const auto& code = arg(params, 0);
      if (!code.IsInt()) throw RpcFailure{-3, "Expected type number for parameter 1"};
      const bool after_commit = params.Size() > 2 && params[2].IsBool() && params[2].GetBool();
      wallet_.fail_sends_with(WalletError{code.GetInt(), string_arg(params, 1)}, after_commit);
    }
    return std::string("null");
  }
  return std::nullopt;
}

}  // namespace pool::testnode
