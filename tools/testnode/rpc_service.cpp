#include "testnode/rpc_service.h"

#include "bitcoin/address.h"
#include "bitcoin/merkle.h"
#include "bitcoin/target.h"
#include "node/bitcoin_node.h"
#include "util/json.h"

#include <cstdio>

namespace pool::testnode {

using bitcoin::Uint256;
using util::quote;

namespace {

std::string btc(int64_t sats) { return node::sats_to_btc_string(sats); }

/// What Core's WalletTxToJSON says about the other spends of a send's coins.
std::string replacement_fields(const WalletSend& s) {
  std::string conflicts;
  for (const auto& c : s.conflicts) conflicts += (conflicts.empty() ? "\"" : ",\"") + c.hex() + "\"";
  std::string out = ",\"walletconflicts\":[" + conflicts + "]";
  if (s.replaced_by) out += ",\"replaced_by_txid\":\"" + s.replaced_by->hex() + "\"";
  if (s.replaces) out += ",\"replaces_txid\":\"" + s.replaces->hex() + "\"";
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

const rapidjson::Value& param(const rapidjson::Value& params, size_t i) {
  if (!params.IsArray() || params.Size() <= i) throw RpcFailure{-1, "missing parameter " + std::to_string(i + 1)};
  return params[static_cast<rapidjson::SizeType>(i)];
}

bool has_param(const rapidjson::Value& params, size_t i) {
  return params.IsArray() && params.Size() > i && !params[static_cast<rapidjson::SizeType>(i)].IsNull();
}

std::string string_param(const rapidjson::Value& params, size_t i) {
  const auto& v = param(params, i);
  if (!v.IsString()) throw RpcFailure{-3, "Expected type string for parameter " + std::to_string(i + 1)};
  return v.GetString();
}

int64_t int_param(const rapidjson::Value& params, size_t i) {
  const auto& v = param(params, i);
  if (!v.IsInt64()) throw RpcFailure{-3, "Expected type number for parameter " + std::to_string(i + 1)};
  return v.GetInt64();
}

Uint256 hash_param(const rapidjson::Value& params, size_t i) {
  try {
    return Uint256::from_hex(string_param(params, i));
  } catch (const bitcoin::HexError&) {
    throw RpcFailure{-8, "parameter " + std::to_string(i + 1) + " must be hexadecimal string of length 64"};
  }
}

int64_t amount_sats(const rapidjson::Value& v) {
  if (v.IsNumber()) return node::btc_to_sats(v.GetDouble());
  if (v.IsString()) return node::btc_to_sats(std::stod(v.GetString()));
  throw RpcFailure{-3, "Amount is not a number or string"};
}

std::string reply(const std::string& id, const std::string& result) {
  return "{\"result\":" + result + ",\"error\":null,\"id\":" + id + "}";
}

std::string error_reply(const std::string& id, const RpcFailure& f) {
  return "{\"result\":null,\"error\":{\"code\":" + std::to_string(f.code) + ",\"message\":" + quote(f.message) +
         "},\"id\":" + id + "}";
}

}  // namespace

RpcService::RpcService(uint32_t bits, std::string wallet_name, std::string wallet_seed)
    : chain_(bits),
      wallet_(bitcoin::Network::kRegtest),
      wallet_name_(std::move(wallet_name)),
      wallet_seed_(std::move(wallet_seed)) {}

void RpcService::with_chain(const std::function<void(Chain&, Wallet&, TxFactory&)>& f) {
  std::lock_guard lock(mutex_);
  f(chain_, wallet_, factory_);
}

void RpcService::on_tip_changed(std::function<void(const Uint256&)> callback) {
  std::lock_guard lock(mutex_);
  chain_.on_tip_changed(std::move(callback));
}

std::string RpcService::handle(const std::string& body, int* http_status) {
  rapidjson::Document request;
  request.Parse(body.c_str(), body.size());
  if (request.HasParseError() || !request.IsObject()) {
    *http_status = 500;
    return error_reply("null", RpcFailure{-32700, "Parse error"});
  }
  const std::string id = request.HasMember("id") ? util::to_json(request["id"]) : "null";
  if (!request.HasMember("method") || !request["method"].IsString()) {
    *http_status = 400;
    return error_reply(id, RpcFailure{-32600, "Method must be a string"});
  }
  static const rapidjson::Value kNoParams(rapidjson::kArrayType);
  const rapidjson::Value& params = request.HasMember("params") ? request["params"] : kNoParams;
  try {
    std::lock_guard lock(mutex_);
    const std::string result = dispatch(request["method"].GetString(), params);
    *http_status = 200;
    return reply(id, result);
  } catch (const RpcFailure& f) {
    *http_status = f.code == -32601 ? 404 : 500;
    return error_reply(id, f);
  } catch (const WalletError& e) {
    *http_status = 500;
    return error_reply(id, RpcFailure{e.code, e.message});
  }
}

std::string RpcService::dispatch(const std::string& method, const rapidjson::Value& params) {
  if (method == "getblockchaininfo") {
    return "{\"chain\":\"regtest\",\"blocks\":" + std::to_string(chain_.height()) +
           ",\"headers\":" + std::to_string(chain_.height()) + ",\"bestblockhash\":\"" + chain_.tip_hash().hex() +
           "\",\"difficulty\":" + number(bitcoin::difficulty_from_bits(chain_.bits())) +
           ",\"mediantime\":" + std::to_string(chain_.median_time_past()) +
           ",\"initialblockdownload\":false,\"pruned\":false,\"warnings\":\"\"}";
  }
  if (method == "getblocktemplate") {
    bool segwit = false;
    if (has_param(params, 0) && params[0].IsObject() && params[0].HasMember("rules") && params[0]["rules"].IsArray()) {
      for (const auto& r : params[0]["rules"].GetArray()) segwit = segwit || (r.IsString() && std::string(r.GetString()) == "segwit");
    }
    if (!segwit) {
      throw RpcFailure{-8, "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})"};
    }
    return template_json();
  }
  if (method == "submitblock") {
    bitcoin::Block block;
    try {
      block = bitcoin::Block::from_hex(string_param(params, 0));
    } catch (const std::exception&) {
      throw RpcFailure{-22, "Block decode failed"};
    }
    // As Bitcoin Core's submitblock (UpdateUncommittedBlockStructures): a coinbase that commits to
    // witnesses but carries no witness gets the default all-zero reserved value.
    if (!block.transactions.empty() && !block.transactions[0].inputs.empty()) {
      auto& coinbase = block.transactions[0];
      if (bitcoin::find_witness_commitment(coinbase) && !coinbase.has_witness()) {
        coinbase.inputs[0].witness = {bitcoin::Bytes(32, 0)};
      }
    }
    const auto result = chain_.submit(block);
    return result ? quote(*result) : "null";
  }
  if (method == "getblockcount") return std::to_string(chain_.height());
  if (method == "getbestblockhash") return quote(chain_.tip_hash().hex());
  if (method == "getblockhash") {
    const auto hash = chain_.hash_at(int_param(params, 0));
    if (!hash) throw RpcFailure{-8, "Block height out of range"};
    return quote(hash->hex());
  }
  if (auto answer = dispatch_transactions(method, params)) return *answer;
  if (method == "getblockheader" || method == "getblock") {
    const StoredBlock* b = chain_.find(hash_param(params, 0));
    if (!b) throw RpcFailure{-5, "Block not found"};
    bool verbose = true;
    if (has_param(params, 1)) verbose = params[1].IsBool() ? params[1].GetBool() : params[1].GetInt() != 0;
    if (method == "getblockheader") return verbose ? block_header_json(*b) : quote(bitcoin::to_hex(b->block.header.serialize()));
    return verbose ? block_json(*b) : quote(bitcoin::to_hex(b->block.serialize()));
  }
  if (method == "validateaddress") {
    const std::string address = string_param(params, 0);
    try {
      const auto decoded = bitcoin::decode_address(address, bitcoin::Network::kRegtest);
      return "{\"isvalid\":true,\"address\":" + quote(address) + ",\"scriptPubKey\":\"" +
             bitcoin::to_hex(decoded.script_pubkey) + "\"}";
    } catch (const bitcoin::AddressError& e) {
      return std::string("{\"isvalid\":false,\"error\":") + quote(e.what()) + "}";
    }
  }
  if (method == "getnewaddress") return quote(wallet_.new_address());
  if (method == "getbalance") return btc(wallet_.balance(chain_));
  if (method == "getwalletinfo") {
    const auto until = wallet_.unlocked_until(chain_.now());  // only an encrypted wallet reports it
    return "{\"walletname\":" + quote(wallet_name_) + ",\"descriptors\":true,\"txcount\":" +
           std::to_string(wallet_.sends().size()) + (until ? ",\"unlocked_until\":" + std::to_string(*until) : "") + "}";
  }
  if (auto answer = dispatch_wallet_lock(method, params)) return *answer;
  if (method == "listdescriptors") {
    // A stand-in for the wallet's public descriptors: what makes this wallet this wallet.
    return "{\"wallet_name\":" + quote(wallet_name_) + ",\"descriptors\":[{\"desc\":" +
           quote("wpkh(" + wallet_seed_ + "/84h/1h/0h/0/*)") + ",\"active\":true,\"internal\":false},{\"desc\":" +
           quote("wpkh(" + wallet_seed_ + "/84h/1h/0h/1/*)") + ",\"active\":true,\"internal\":true}]}";
  }
  if (method == "getbalances") {
    return "{\"mine\":{\"trusted\":" + btc(wallet_.balance(chain_)) + ",\"untrusted_pending\":0,\"immature\":" +
           btc(wallet_.immature(chain_)) + "}}";
  }
  if (method == "sendmany") {
    const auto& obj = param(params, 1);
    if (!obj.IsObject()) throw RpcFailure{-3, "Expected type object for parameter 2"};
    std::map<std::string, int64_t> amounts;
    for (const auto& m : obj.GetObject()) amounts[m.name.GetString()] = amount_sats(m.value);
    const std::string comment = has_param(params, 3) ? string_param(params, 3) : "";
    std::set<std::string> subtract_fee_from;  // Core's 5th parameter: addresses that pay the fee
    if (has_param(params, 4)) {
      if (!params[4].IsArray()) throw RpcFailure{-3, "Expected type array for parameter 5"};
      for (const auto& a : params[4].GetArray()) {
        if (!a.IsString() || !amounts.count(a.GetString())) {
          throw RpcFailure{-8, "Invalid parameter 'subtract fee from output', not an address of this payment"};
        }
        subtract_fee_from.insert(a.GetString());
      }
    }
    return quote(wallet_.send_many(chain_, factory_, amounts, comment, subtract_fee_from).hex());
  }
  if (method == "gettransaction") {
    const WalletSend* s = wallet_.find_send(hash_param(params, 0));
    if (!s) throw RpcFailure{-5, "Invalid or non-wallet transaction id"};
    const int64_t confirmations = wallet_.confirmations(chain_, *s);
    const std::string abandoned = s->abandoned ? ",\"abandoned\":true" : "";
    int64_t total = 0;
    std::string details;
    for (size_t i = 0; i < s->outputs.size(); ++i) {
      total += s->outputs[i].second;
      if (i) details += ",";
      details += "{\"address\":" + quote(s->outputs[i].first) + ",\"category\":\"send\",\"amount\":-" +
                 btc(s->outputs[i].second) + ",\"vout\":" + std::to_string(i) + ",\"fee\":-" + btc(s->fee) + abandoned + "}";
    }
    const auto height = chain_.tx_height(s->txid);
    const std::string block = height ? ",\"blockhash\":\"" + chain_.hash_at(*height)->hex() + "\"" : "";
    return "{\"amount\":-" + btc(total) + ",\"fee\":-" + btc(s->fee) + block + ",\"hex\":\"" +
           bitcoin::to_hex(s->tx.serialize()) + "\",\"confirmations\":" +
           std::to_string(confirmations) + ",\"txid\":\"" + s->txid.hex() + "\",\"time\":" + std::to_string(s->time) +
           ",\"comment\":" + quote(s->comment) + replacement_fields(*s) + ",\"details\":[" + details + "]}";
  }
  if (method == "listtransactions") {
    const int64_t count = has_param(params, 1) ? int_param(params, 1) : 10;
    const int64_t skip = has_param(params, 2) ? int_param(params, 2) : 0;
    std::string out;
    int64_t listed = 0, skipped = 0;
    for (auto it = wallet_.sends().rbegin(); it != wallet_.sends().rend() && listed < count; ++it) {
      if (skipped++ < skip) continue;
      ++listed;
      const int64_t confirmations = wallet_.confirmations(chain_, *it);
      for (size_t i = 0; i < it->outputs.size(); ++i) {
        if (!out.empty()) out += ",";
        out += "{\"address\":" + quote(it->outputs[i].first) + ",\"category\":\"send\",\"amount\":-" +
               btc(it->outputs[i].second) + ",\"vout\":" + std::to_string(i) + ",\"fee\":-" + btc(it->fee) +
               ",\"confirmations\":" + std::to_string(confirmations) + ",\"txid\":\"" + it->txid.hex() +
               "\",\"time\":" + std::to_string(it->time) + ",\"comment\":" + quote(it->comment) +
               replacement_fields(*it) + (it->abandoned ? ",\"abandoned\":true}" : "}");
      }
    }
    return "[" + out + "]";
  }
  if (method == "generatetoaddress" || method == "test_generateempty") {
    const int64_t n = int_param(params, 0);
    bitcoin::Bytes script;
    try {
      script = bitcoin::address_to_script(string_param(params, 1), bitcoin::Network::kRegtest);
    } catch (const bitcoin::AddressError&) {
      throw RpcFailure{-5, "Error: Invalid address"};
    }
    std::string out;
    for (const auto& h : chain_.generate(static_cast<int>(n), script, method == "generatetoaddress")) out += (out.empty() ? "" : ",") + quote(h.hex());
    return "[" + out + "]";
  }
  if (method == "invalidateblock") {
    if (!chain_.invalidate(hash_param(params, 0))) throw RpcFailure{-5, "Block not found"};
    return "null";
  }
  if (method == "reconsiderblock") {
    if (!chain_.reconsider(hash_param(params, 0))) throw RpcFailure{-5, "Block not found"};
    return "null";
  }
  if (method == "getmempoolinfo") return "{\"size\":" + std::to_string(chain_.mempool().size()) + "}";
  if (method == "test_addtransactions") return add_transactions(static_cast<int>(int_param(params, 0)));
  if (method == "test_paidto") {
    const auto [sats, outputs] = wallet_.paid_to(string_param(params, 0));
    return "{\"amount_sats\":" + std::to_string(sats) + ",\"outputs\":" + std::to_string(outputs) + "}";
  }
  if (auto result = dispatch_wallet_state(method, params)) return *result;
  throw RpcFailure{-32601, "Method not found"};
}

std::string RpcService::add_transactions(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    // Every third transaction spends the previous one, so templates carry depends; half are segwit.
    const bitcoin::Transaction* parent =
        (i % 3 == 2 && !chain_.mempool().empty()) ? &chain_.mempool().back().tx : nullptr;
    MadeTransaction made = factory_.make(parent, i % 2 == 0);
    out += (out.empty() ? "" : ",") + quote(made.tx.txid().hex());
    chain_.add_to_mempool(std::move(made.tx), made.fee);
  }
  return "[" + out + "]";
}

std::string RpcService::template_json() {
  const auto txs = chain_.template_transactions();
  const int64_t height = chain_.height() + 1;
  int64_t fees = 0;
  std::vector<Uint256> wtxids;
  std::string list;
  for (size_t i = 0; i < txs.size(); ++i) {
    const auto& e = *txs[i];
    fees += e.fee;
    wtxids.push_back(e.tx.wtxid());
    std::string depends;
    for (const auto& in : e.tx.inputs) {
      for (size_t j = 0; j < i; ++j) {
        if (txs[j]->txid == in.prevout.hash) depends += (depends.empty() ? "" : ",") + std::to_string(j + 1);
      }
    }
    list += std::string(i ? "," : "") + "{\"data\":\"" + bitcoin::to_hex(e.tx.serialize()) + "\",\"txid\":\"" +
            e.txid.hex() + "\",\"hash\":\"" + e.tx.wtxid().hex() + "\",\"depends\":[" + depends +
            "],\"fee\":" + std::to_string(e.fee) + ",\"sigops\":1,\"weight\":" + std::to_string(e.tx.weight()) + "}";
  }
  const uint32_t mintime = chain_.median_time_past() + 1;
  const uint32_t curtime = std::max(mintime, chain_.now());
  const auto commitment = bitcoin::witness_commitment_script(bitcoin::witness_merkle_root(wtxids));
  return "{\"capabilities\":[\"proposal\"],\"version\":536870912,\"rules\":[\"csv\",\"!segwit\",\"taproot\"],"
         "\"vbavailable\":{},\"vbrequired\":0,\"previousblockhash\":\"" + chain_.tip_hash().hex() +
         "\",\"transactions\":[" + list + "],\"coinbaseaux\":{},\"coinbasevalue\":" +
         std::to_string(Chain::subsidy(height) + fees) + ",\"longpollid\":\"" + chain_.tip_hash().hex() +
         std::to_string(chain_.mempool().size()) + "\",\"target\":\"" +
         bitcoin::target_from_bits(chain_.bits())->to_uint256().hex() + "\",\"mintime\":" + std::to_string(mintime) +
         ",\"mutable\":[\"time\",\"transactions\",\"prevblock\"],\"noncerange\":\"00000000ffffffff\","
         "\"sigoplimit\":80000,\"sizelimit\":4000000,\"weightlimit\":4000000,\"curtime\":" + std::to_string(curtime) +
         ",\"bits\":\"" + bitcoin::hex_u32(chain_.bits()) + "\",\"height\":" + std::to_string(height) +
         ",\"default_witness_commitment\":\"" + bitcoin::to_hex(commitment) + "\"}";
}

std::string RpcService::block_header_json(const StoredBlock& b) {
  const auto& h = b.block.header;
  std::string out = "{\"hash\":\"" + b.hash.hex() + "\",\"confirmations\":" + std::to_string(chain_.confirmations(b.hash)) +
                    ",\"height\":" + std::to_string(b.height) + ",\"version\":" + std::to_string(h.version) +
                    ",\"merkleroot\":\"" + h.merkle_root.hex() + "\",\"time\":" + std::to_string(h.time) +
                    ",\"nonce\":" + std::to_string(h.nonce) + ",\"bits\":\"" + bitcoin::hex_u32(h.bits) +
                    "\",\"difficulty\":" + number(bitcoin::difficulty_from_bits(h.bits)) +
                    ",\"nTx\":" + std::to_string(b.block.transactions.size());
  if (b.height > 0) out += ",\"previousblockhash\":\"" + h.prev_hash.hex() + "\"";
  if (const auto next = chain_.hash_at(b.height + 1); next && chain_.confirmations(b.hash) > 0) {
    out += ",\"nextblockhash\":\"" + next->hex() + "\"";
  }
  return out + "}";
}

std::string RpcService::block_json(const StoredBlock& b) {
  std::string txids;
  for (const auto& tx : b.block.transactions) txids += (txids.empty() ? "" : ",") + quote(tx.txid().hex());
  std::string header = block_header_json(b);
  header.pop_back();
  return header + ",\"weight\":" + std::to_string(b.block.weight()) + ",\"tx\":[" + txids + "]}";
}

}  // namespace pool::testnode
