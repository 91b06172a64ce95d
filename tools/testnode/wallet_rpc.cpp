// The test node's wallet encryption RPCs (encryptwallet, walletpassphrase, walletlock) as
// Bitcoin Core answers them, walletcreatefundedpsbt as the dry run of a sendmany, and the
// test_sendmanyerror control that makes sendmany refuse.
#include "testnode/rpc_service.h"

#include "node/bitcoin_node.h"

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

int64_t sats_of(const rapidjson::Value& v) {
  if (v.IsNumber()) return node::btc_to_sats(v.GetDouble());
  if (v.IsString()) return node::btc_to_sats(std::stod(v.GetString()));
  throw RpcFailure{-3, "Amount is not a number or string"};
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
  if (method == "walletcreatefundedpsbt") {
    // The dry run a payout asks before writing anything: [inputs, [{address: amount}, …], locktime,
    // {subtractFeeFromOutputs: [index, …]}]. Checked as sendmany checks (Core answers -4 where
    // sendmany answers -6); nothing is made or locked.
    const auto& outs = arg(params, 1);
    std::vector<std::string> order;
    std::map<std::string, int64_t> amounts;
    auto add = [&](const std::string& address, const rapidjson::Value& v) {
      if (amounts.count(address)) throw RpcFailure{-8, "Invalid parameter, duplicated address: " + address};
      order.push_back(address);
      amounts[address] = sats_of(v);
    };
    if (outs.IsArray()) {
      for (const auto& o : outs.GetArray()) {
        if (!o.IsObject()) throw RpcFailure{-8, "Invalid parameter, key-value pair not an object as expected"};
        for (const auto& m : o.GetObject()) add(m.name.GetString(), m.value);
      }
    } else if (outs.IsObject()) {
      for (const auto& m : outs.GetObject()) add(m.name.GetString(), m.value);
    } else {
      throw RpcFailure{-3, "Expected type array for parameter 2"};
    }
    std::set<std::string> subtract;
    if (params.Size() > 3 && params[3].IsObject() && params[3].HasMember("subtractFeeFromOutputs")) {
      for (const auto& i : params[3]["subtractFeeFromOutputs"].GetArray()) {
        if (!i.IsUint() || i.GetUint() >= order.size()) throw RpcFailure{-8, "Invalid parameter, vout out of range"};
        subtract.insert(order[i.GetUint()]);
      }
    }
    try {
      const auto plan = wallet_.plan_send(chain_, amounts, subtract);
      return "{\"psbt\":\"\",\"fee\":" + node::sats_to_btc_string(plan.fee) + ",\"changepos\":-1}";
    } catch (const WalletError& e) {
      throw RpcFailure{e.code == -6 ? -4 : e.code, e.message};
    }
  }
  if (method == "test_sendmanyerror") {
    // [code, message]: every sendmany fails so until called with no parameters.
    if (!params.IsArray() || params.Empty()) {
      wallet_.fail_sends_with(std::nullopt);
    } else {
      const auto& code = arg(params, 0);
      if (!code.IsInt()) throw RpcFailure{-3, "Expected type number for parameter 1"};
      wallet_.fail_sends_with(WalletError{code.GetInt(), string_arg(params, 1)});
    }
    return std::string("null");
  }
  return std::nullopt;
}

}  // namespace pool::testnode
