#include "node/block_template.h"

#include "util/json.h"

namespace pool::node {

using util::get_int64;
using util::get_string;
using util::has_member;

int64_t BlockTemplate::total_fees() const {
  int64_t sum = 0;
  for (const auto& tx : transactions) sum += tx.fee;
  return sum;
}

bool BlockTemplate::segwit_active() const {
  for (const auto& r : rules) {
    if (r == "segwit" || r == "!segwit") return true;
  }
  return false;
}

BlockTemplate parse_block_template(const rapidjson::Value& result) {
  BlockTemplate t;
  t.version = static_cast<int32_t>(get_int64(result, "version"));
  t.previous_block_hash = bitcoin::Uint256::from_hex(get_string(result, "previousblockhash"));
  t.coinbase_value = get_int64(result, "coinbasevalue");
  t.bits = bitcoin::parse_hex_u32(get_string(result, "bits"));
  const auto target = bitcoin::target_from_bits(t.bits);
  if (!target) throw util::JsonError("template bits " + get_string(result, "bits") + " is not a valid target");
  t.target = *target;
  t.height = get_int64(result, "height");
  t.cur_time = static_cast<uint32_t>(get_int64(result, "curtime"));
  t.min_time = has_member(result, "mintime") ? static_cast<uint32_t>(get_int64(result, "mintime")) : 0;
  if (has_member(result, "longpollid")) t.longpoll_id = get_string(result, "longpollid");
  if (has_member(result, "weightlimit")) t.weight_limit = get_int64(result, "weightlimit");
  if (has_member(result, "sigoplimit")) t.sigop_limit = get_int64(result, "sigoplimit");
  if (has_member(result, "rules")) {
    for (const auto& r : util::member(result, "rules").GetArray()) t.rules.emplace_back(r.GetString());
  }
  if (has_member(result, "default_witness_commitment")) {
    t.default_witness_commitment = bitcoin::from_hex(get_string(result, "default_witness_commitment"));
  }
  const auto& txs = util::member(result, "transactions");
  if (!txs.IsArray()) throw util::JsonError("field 'transactions' is not an array");
  t.transactions.reserve(txs.Size());
  for (const auto& entry : txs.GetArray()) {
    TemplateTransaction tx;
    tx.data = bitcoin::from_hex(get_string(entry, "data"));
    tx.txid = bitcoin::Uint256::from_hex(get_string(entry, "txid"));
    tx.wtxid = has_member(entry, "hash") ? bitcoin::Uint256::from_hex(get_string(entry, "hash")) : tx.txid;
    tx.fee = has_member(entry, "fee") ? get_int64(entry, "fee") : 0;
    tx.sigops = has_member(entry, "sigops") ? get_int64(entry, "sigops") : 0;
    tx.weight = has_member(entry, "weight") ? get_int64(entry, "weight") : 0;
    if (has_member(entry, "depends")) {
      for (const auto& d : util::member(entry, "depends").GetArray()) tx.depends.push_back(d.GetInt());
    }
    t.transactions.push_back(std::move(tx));
  }
  return t;
}

}  // namespace pool::node
