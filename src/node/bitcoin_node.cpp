#include "node/bitcoin_node.h"

#include <algorithm>

#include "bitcoin/sha256.h"

#include <cmath>
#include <cstdio>

#include "util/json.h"

namespace pool::node {

using util::get_int64;
using util::get_string;
using util::has_member;

int64_t btc_to_sats(double btc) { return static_cast<int64_t>(std::llround(btc * 1e8)); }

std::string sats_to_btc_string(int64_t sats) {
  const bool negative = sats < 0;
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(sats) : static_cast<uint64_t>(sats);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%llu.%08llu", negative ? "-" : "", static_cast<unsigned long long>(abs / 100000000),
                static_cast<unsigned long long>(abs % 100000000));
  return buf;
}

std::string BitcoinNode::wallet_path() const { return wallet_.empty() ? "/" : "/wallet/" + wallet_; }

ChainInfo BitcoinNode::get_blockchain_info() {
  const auto r = rpc_.call("getblockchaininfo");
  ChainInfo info;
  info.chain = get_string(r, "chain");
  info.network = bitcoin::network_from_chain_name(info.chain);
  info.blocks = get_int64(r, "blocks");
  info.best_block_hash = bitcoin::Uint256::from_hex(get_string(r, "bestblockhash"));
  info.difficulty = util::get_double(r, "difficulty");
  info.initial_block_download = has_member(r, "initialblockdownload") && util::get_bool(r, "initialblockdownload");
  return info;
}

BlockTemplate BitcoinNode::get_block_template() {
  const auto r = rpc_.call("getblocktemplate", R"([{"rules":["segwit"]}])");
  return parse_block_template(r);
}

std::optional<std::string> BitcoinNode::submit_block(const std::string& block_hex) {
  const auto r = rpc_.call("submitblock", "[\"" + block_hex + "\"]");
  if (r.IsNull()) return std::nullopt;
  if (r.IsString()) return std::string(r.GetString());
  return util::to_json(r);
}

int64_t BitcoinNode::get_block_count() { return rpc_.call("getblockcount").GetInt64(); }

std::optional<bitcoin::Uint256> BitcoinNode::get_block_hash(int64_t height) {
  try {
    const auto r = rpc_.call("getblockhash", "[" + std::to_string(height) + "]");
    return bitcoin::Uint256::from_hex(r.GetString());
  } catch (const RpcError& e) {
    if (e.code() == -8) return std::nullopt;  // Block height out of range
    throw;
  }
}

bitcoin::Uint256 BitcoinNode::get_best_block_hash() {
  return bitcoin::Uint256::from_hex(rpc_.call("getbestblockhash").GetString());
}

BlockHeaderInfo BitcoinNode::get_block_header(const bitcoin::Uint256& hash) {
  const auto r = rpc_.call("getblockheader", "[\"" + hash.hex() + "\", true]");
  BlockHeaderInfo info;
  info.hash = bitcoin::Uint256::from_hex(get_string(r, "hash"));
  info.height = get_int64(r, "height");
  info.confirmations = get_int64(r, "confirmations");
  info.time = static_cast<uint32_t>(get_int64(r, "time"));
  return info;
}

AddressInfo BitcoinNode::validate_address(const std::string& address) {
  const auto r = rpc_.call("validateaddress", "[" + util::quote(address) + "]");
  AddressInfo info;
  info.valid = util::get_bool(r, "isvalid");
  if (has_member(r, "scriptPubKey")) info.script_pubkey_hex = get_string(r, "scriptPubKey");
  if (has_member(r, "error")) info.error = get_string(r, "error");
  return info;
}

int64_t BitcoinNode::get_balance_sats() {
  const auto r = rpc_.call("getbalance", "[]", wallet_path());
  return btc_to_sats(r.GetDouble());
}

std::string BitcoinNode::send_many(const std::map<std::string, int64_t>& amounts, const std::string& comment) {
  std::string obj = "{";
  for (const auto& [address, sats] : amounts) {
    if (obj.size() > 1) obj += ",";
    obj += util::quote(address) + ":" + sats_to_btc_string(sats);
  }
  obj += "}";
  // subtractfeefrom lists every recipient: Core divides the fee equally among them (the first
  // output also pays what does not divide), so the wallet spends exactly the amounts' sum.
  std::string subtract = "[";
  for (const auto& [address, sats] : amounts) subtract += (subtract.size() > 1 ? "," : "") + util::quote(address);
  subtract += "]";
  const auto r = rpc_.call("sendmany", "[\"\"," + obj + ",1," + util::quote(comment) + "," + subtract + "]", wallet_path(),
                           RpcCall::kOnce);
  return r.GetString();
}

int64_t BitcoinNode::check_send_many(const std::map<std::string, int64_t>& amounts) {
  // The same outputs as send_many, as an array so subtractFeeFromOutputs can name them by index.
  std::string outputs = "[", subtract = "[";
  size_t i = 0;
  for (const auto& [address, sats] : amounts) {
    outputs += std::string(i ? "," : "") + "{" + util::quote(address) + ":" + sats_to_btc_string(sats) + "}";
    subtract += std::string(i ? "," : "") + std::to_string(i);
    ++i;
  }
  // lockUnspents false: nothing in the wallet changes; the PSBT is thrown away.
  const auto r = rpc_.call("walletcreatefundedpsbt",
                           "[[]," + outputs + "],0,{\"subtractFeeFromOutputs\":" + subtract + "],\"lockUnspents\":false}]",
                           wallet_path());
  return btc_to_sats(util::get_double(r, "fee"));
}

std::optional<int64_t> BitcoinNode::wallet_unlocked_until() {
  const auto info = rpc_.call("getwalletinfo", "[]", wallet_path());
  if (!has_member(info, "unlocked_until") || info["unlocked_until"].IsNull()) return std::nullopt;
  return get_int64(info, "unlocked_until");
}

namespace {
// A listtransactions entry that is a wallet send still able to pay: not abandoned, not
// conflicted (negative confirmations), not replaced by a fee bump. Only such a send settles a
// payout or counts in the audit; a dead one paid nobody.
bool is_live_send(const rapidjson::Value& entry) {
  if (!has_member(entry, "category") || get_string(entry, "category") != "send" || !has_member(entry, "comment")) {
    return false;
  }
  if (has_member(entry, "abandoned") && entry["abandoned"].IsBool() && entry["abandoned"].GetBool()) return false;
  if (has_member(entry, "confirmations") && get_int64(entry, "confirmations") < 0) return false;
  return !has_member(entry, "replaced_by_txid");
}

WalletTransaction wallet_tx_from(const rapidjson::Value& v) {
  WalletTransaction tx;
  tx.txid = get_string(v, "txid");
  tx.confirmations = has_member(v, "confirmations") ? get_int64(v, "confirmations") : 0;
  tx.fee_sats = has_member(v, "fee") ? btc_to_sats(util::get_double(v, "fee")) : 0;
  tx.comment = has_member(v, "comment") ? get_string(v, "comment") : "";
  // listtransactions says "abandoned" on the entry, gettransaction on each of its details.
  const auto abandoned = [](const rapidjson::Value& e) {
    return has_member(e, "abandoned") && e["abandoned"].IsBool() && e["abandoned"].GetBool();
  };
  tx.abandoned = abandoned(v);
  if (has_member(v, "details") && v["details"].IsArray()) {
    for (const auto& d : v["details"].GetArray()) tx.abandoned = tx.abandoned || abandoned(d);
  }
  if (has_member(v, "replaced_by_txid")) tx.replaced_by_txid = get_string(v, "replaced_by_txid");
  return tx;
}
}  // namespace

std::optional<WalletTransaction> BitcoinNode::get_transaction(const std::string& txid) {
  try {
    return wallet_tx_from(rpc_.call("gettransaction", "[" + util::quote(txid) + "]", wallet_path()));
  } catch (const RpcError& e) {
    if (e.code() == -5) return std::nullopt;  // Invalid or non-wallet transaction id
    throw;
  }
}

bool BitcoinNode::in_mempool(const std::string& txid) {
  try {
    rpc_.call("getmempoolentry", "[" + util::quote(txid) + "]");
    return true;
  } catch (const RpcError& e) {
    if (e.code() == -5) return false;  // Transaction not in mempool
    throw;
  }
}

std::vector<WalletTransaction> BitcoinNode::find_sends_by_comment(const std::string& comment, int64_t since_unix,
                                                               int page_size) {
  std::vector<WalletTransaction> out;
  for (int skip = 0;; skip += page_size) {
    const auto page = rpc_.call("listtransactions",
                                "[\"*\"," + std::to_string(page_size) + "," + std::to_string(skip) + ",true]", wallet_path());
    bool any_recent = false;
    for (const auto& entry : page.GetArray()) {
      const int64_t time = has_member(entry, "time") ? get_int64(entry, "time") : 0;
      any_recent = any_recent || time >= since_unix;
      if (!is_live_send(entry) || get_string(entry, "comment") != comment) continue;
      const auto tx = wallet_tx_from(entry);
      bool seen = false;
      for (const auto& o : out) seen = seen || o.txid == tx.txid;
      if (!seen) out.push_back(tx);
    }
    if (static_cast<int>(page.Size()) < page_size || !any_recent) break;
  }
  return out;
}

std::string BitcoinNode::wallet_identity() {
  const auto info = rpc_.call("getwalletinfo", "[]", wallet_path());
  const std::string name = has_member(info, "walletname") ? get_string(info, "walletname") : "";
  std::vector<std::string> keys;
  try {
    const auto listed = rpc_.call("listdescriptors", "[]", wallet_path());
    for (const auto& d : listed["descriptors"].GetArray()) keys.push_back(get_string(d, "desc"));
  } catch (const RpcError&) {
    // A legacy (non-descriptor) wallet: its HD seed identifies it.
    if (has_member(info, "hdseedid")) keys.push_back("hdseedid:" + get_string(info, "hdseedid"));
  }
  if (keys.empty()) throw std::runtime_error("wallet '" + name + "' has neither descriptors nor an HD seed to identify it");
  std::sort(keys.begin(), keys.end());
  std::string all;
  for (const auto& k : keys) all += k + "\n";
  const auto digest = bitcoin::sha256d({reinterpret_cast<const uint8_t*>(all.data()), all.size()});
  return "wallet '" + name + "' " + digest.hex().substr(0, 16);
}

WalletBalances BitcoinNode::get_balances() {
  const auto r = rpc_.call("getbalances", "[]", wallet_path());
  const auto& mine = r["mine"];
  WalletBalances out;
  out.trusted_sats = btc_to_sats(util::get_double(mine, "trusted"));
  out.untrusted_pending_sats = btc_to_sats(util::get_double(mine, "untrusted_pending"));
  out.immature_sats = btc_to_sats(util::get_double(mine, "immature"));
  return out;
}

std::vector<WalletSendOutput> BitcoinNode::list_commented_sends(int page_size) {
  std::vector<WalletSendOutput> out;
  for (int skip = 0;; skip += page_size) {
    const auto page = rpc_.call("listtransactions",
                                "[\"*\"," + std::to_string(page_size) + "," + std::to_string(skip) + ",true]", wallet_path());
    for (const auto& entry : page.GetArray()) {
      if (!is_live_send(entry)) continue;
      WalletSendOutput o;
      o.txid = get_string(entry, "txid");
      o.comment = get_string(entry, "comment");
      o.address = has_member(entry, "address") ? get_string(entry, "address") : "";
      o.vout = has_member(entry, "vout") ? get_int64(entry, "vout") : 0;
      o.sats = -btc_to_sats(util::get_double(entry, "amount"));
      o.fee_sats = has_member(entry, "fee") ? -btc_to_sats(util::get_double(entry, "fee")) : 0;
      o.confirmations = has_member(entry, "confirmations") ? get_int64(entry, "confirmations") : 0;
      out.push_back(std::move(o));
    }
    if (static_cast<int>(page.Size()) < page_size) break;
  }
  return out;
}

}  // namespace pool::node
