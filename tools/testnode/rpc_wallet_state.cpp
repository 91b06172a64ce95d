// The test node's RPCs about what became of a wallet send: getmempoolentry and
// abandontransaction and bumpfee as Bitcoin Core answers them, and the test-only faults test_evicttransaction
// (the mempool drops it), test_rebroadcast (the wallet sends it again) and
// test_conflicttransaction (a spend of the same input is mined in a new block).
#include "bitcoin/address.h"
#include "node/bitcoin_node.h"
#include "testnode/rpc_service.h"
#include "util/json.h"

namespace pool::testnode {

namespace {

bitcoin::Uint256 txid_param(const rapidjson::Value& params) {
  if (!params.IsArray() || params.Size() < 1 || !params[0].IsString()) {
    throw RpcFailure{-3, "Expected type string for parameter 1"};
  }
  try {
    return bitcoin::Uint256::from_hex(params[0].GetString());
  } catch (const bitcoin::HexError&) {
    throw RpcFailure{-8, "parameter 1 must be hexadecimal string of length 64"};
  }
}

}  // namespace

std::optional<std::string> RpcService::dispatch_wallet_state(const std::string& method, const rapidjson::Value& params) {
  if (method == "getmempoolentry") {
    const bitcoin::Uint256 txid = txid_param(params);
    for (const auto& e : chain_.mempool()) {
      if (e.txid != txid) continue;
      const size_t weight = e.tx.weight();
      return "{\"vsize\":" + std::to_string((weight + 3) / 4) + ",\"weight\":" + std::to_string(weight) +
             ",\"time\":" + std::to_string(chain_.now()) + ",\"height\":" + std::to_string(chain_.height()) +
             ",\"fees\":{\"base\":" + node::sats_to_btc_string(e.fee) + "},\"depends\":[],\"spentby\":[]}";
    }
    throw RpcFailure{-5, "Transaction not in mempool"};
  }
  if (method == "abandontransaction") {
    wallet_.abandon(chain_, txid_param(params));
    return "null";
  }
  if (method == "bumpfee") {
    const bitcoin::Uint256 txid = txid_param(params);
    const WalletSend* original = wallet_.find_send(txid);
    if (!original) throw RpcFailure{-5, "Invalid or non-wallet transaction id"};
    const int64_t origfee = original->fee;
    const bitcoin::Uint256 bumped = wallet_.bump_fee(chain_, txid);
    return "{\"txid\":" + util::quote(bumped.hex()) + ",\"origfee\":" + node::sats_to_btc_string(origfee) +
           ",\"fee\":" + node::sats_to_btc_string(wallet_.find_send(bumped)->fee) + ",\"errors\":[]}";
  }
  if (method == "test_evicttransaction") {
    wallet_.evict(chain_, txid_param(params));
    return "null";
  }
  if (method == "test_rebroadcast") {
    wallet_.rebroadcast(chain_, txid_param(params));
    return "null";
  }
  if (method == "test_conflicttransaction") {
    const bitcoin::Uint256 conflict = wallet_.make_conflict(chain_, txid_param(params));
    const auto script = bitcoin::address_to_script(wallet_.new_address(), bitcoin::Network::kRegtest);
    const auto mined = chain_.generate(1, script);
    return "{\"txid\":" + util::quote(conflict.hex()) + ",\"blockhash\":" + util::quote(mined.at(0).hex()) + "}";
  }
  return std::nullopt;
}

}  // namespace pool::testnode
