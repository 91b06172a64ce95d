// The test node's transaction lookups as Bitcoin Core without -txindex answers them: getblock
// with verbosity 2 (every transaction decoded, with its hex), and getrawtransaction, which finds
// a transaction in the mempool or, given its block's hash, in that block, and nowhere else.
#include "bitcoin/hex.h"
#include "node/bitcoin_node.h"
#include "testnode/rpc_service.h"
#include "util/json.h"

namespace pool::testnode {

namespace {

bitcoin::Uint256 hash_at(const rapidjson::Value& params, rapidjson::SizeType i) {
  if (!params.IsArray() || params.Size() <= i || !params[i].IsString()) {
    throw RpcFailure{-3, "Expected type string for parameter " + std::to_string(i + 1)};
  }
  try {
    return bitcoin::Uint256::from_hex(params[i].GetString());
  } catch (const bitcoin::HexError&) {
    throw RpcFailure{-8, "parameter " + std::to_string(i + 1) + " must be hexadecimal string of length 64"};
  }
}

int verbosity_of(const rapidjson::Value& params, rapidjson::SizeType i, int fallback) {
  if (!params.IsArray() || params.Size() <= i || params[i].IsNull()) return fallback;
  const auto& v = params[i];
  if (v.IsBool()) return v.GetBool() ? 1 : 0;
  if (v.IsInt()) return v.GetInt();
  throw RpcFailure{-3, "Expected type number for parameter " + std::to_string(i + 1)};
}

std::string tx_json(const bitcoin::Transaction& tx) {
  std::string vout;
  for (size_t n = 0; n < tx.outputs.size(); ++n) {
    vout += (n ? "," : "") + std::string("{\"value\":") + node::sats_to_btc_string(tx.outputs[n].value) + ",\"n\":" +
            std::to_string(n) + ",\"scriptPubKey\":{\"hex\":\"" + bitcoin::to_hex(tx.outputs[n].script_pubkey) + "\"}}";
  }
  return "{\"txid\":\"" + tx.txid().hex() + "\",\"hash\":\"" + tx.wtxid().hex() + "\",\"hex\":\"" +
         bitcoin::to_hex(tx.serialize()) + "\",\"vout\":[" + vout + "]}";
}

}  // namespace

std::optional<std::string> RpcService::dispatch_transactions(const std::string& method, const rapidjson::Value& params) {
  if (method == "getblock" && verbosity_of(params, 1, 1) >= 2) {
    const StoredBlock* b = chain_.find(hash_at(params, 0));
    if (!b) throw RpcFailure{-5, "Block not found"};
    std::string txs;
    for (const auto& tx : b->block.transactions) txs += (txs.empty() ? "" : ",") + tx_json(tx);
    std::string header = block_header_json(*b);
    header.pop_back();
    return header + ",\"weight\":" + std::to_string(b->block.weight()) + ",\"tx\":[" + txs + "]}";
  }
  if (method == "getrawtransaction") {
    const bitcoin::Uint256 txid = hash_at(params, 0);
    const bool verbose = verbosity_of(params, 1, 0) > 0;
    const bitcoin::Transaction* found = nullptr;
    std::string in_block;
    if (params.IsArray() && params.Size() > 2 && !params[2].IsNull()) {
      const StoredBlock* b = chain_.find(hash_at(params, 2));
      if (!b) throw RpcFailure{-5, "Block hash not found"};
      for (const auto& tx : b->block.transactions) {
        if (tx.txid() == txid) found = &tx;
      }
      if (!found) throw RpcFailure{-5, "No such transaction found in the provided block. Use gettransaction for wallet transactions."};
      in_block = b->block.header.hash().hex();
    } else {
      for (const auto& e : chain_.mempool()) {
        if (e.txid == txid) found = &e.tx;
      }
      if (!found) {
        throw RpcFailure{-5, "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain "
                             "transaction queries. Use gettransaction for wallet transactions."};
      }
    }
    if (!verbose) return util::quote(bitcoin::to_hex(found->serialize()));
    std::string out = tx_json(*found);
    if (!in_block.empty()) out.insert(out.size() - 1, ",\"blockhash\":\"" + in_block + "\"");
    return out;
  }
  return std::nullopt;
}

}  // namespace pool::testnode
