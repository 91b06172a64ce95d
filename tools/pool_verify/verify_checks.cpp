#include "tools/pool_verify/verify_checks.h"

#include <map>
#include <optional>
#include <set>
#include <ostream>

#include "bitcoin/address.h"
#include "bitcoin/merkle.h"
#include "bitcoin/transaction.h"
#include "tools/pool_verify/verify_math.h"

namespace pool::verify {

namespace {

/// A field the proof must have, of the right type; throws naming it.
struct BadProof : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const rapidjson::Value& field(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject() || !obj.HasMember(name)) throw BadProof(std::string("the proof has no \"") + name + "\"");
  return obj[name];
}
std::string text(const rapidjson::Value& obj, const char* name) {
  const auto& v = field(obj, name);
  if (!v.IsString()) throw BadProof(std::string("\"") + name + "\" is not a string");
  return v.GetString();
}
int64_t integer(const rapidjson::Value& obj, const char* name) {
  const auto& v = field(obj, name);
  if (!v.IsInt64()) throw BadProof(std::string("\"") + name + "\" is not an integer");
  return v.GetInt64();
}
uint64_t unsigned_int(const rapidjson::Value& obj, const char* name) {
  const auto& v = field(obj, name);
  if (!v.IsUint64()) throw BadProof(std::string("\"") + name + "\" is not a non-negative integer");
  return v.GetUint64();
}
u128 weight(const rapidjson::Value& obj, const char* name) {
  const auto w = parse_u128(text(obj, name));
  if (!w) throw BadProof(std::string("\"") + name + "\" is not a decimal 128-bit number");
  return *w;
}
bitcoin::Uint256 internal_hash(const std::string& hex, const std::string& what) {
  if (hex.size() != 64 || !bitcoin::is_hex(hex)) throw BadProof(what + " is not 64 hex digits");
  return bitcoin::Uint256::from_internal(bitcoin::from_hex(hex));
}

bitcoin::Bytes commitment_script(const bitcoin::Uint256& root) {
  bitcoin::Bytes script{0x6a, 0x24, 'P', 'P', 'L', 'N'};
  script.insert(script.end(), root.data(), root.data() + 32);
  return script;
}

std::string sats(int64_t v) { return std::to_string(v) + " sat"; }

}  // namespace

void Report::ok(const std::string& check, const std::string& detail) {
  ++checks_;
  out_ << "ok    " << check << ": " << detail << "\n" << std::flush;
}

void Report::fail(const std::string& check, const std::string& why) {
  ++checks_;
  ++failures_;
  out_ << "FAIL: " << check << ": " << why << "\n" << std::flush;
}

void check_window(const rapidjson::Value& proof, const WindowPage& page, Report& report) {
  constexpr int64_t kPage = 1000;
  constexpr int64_t kMaxLeaves = 10'000'000;  // far beyond any pool's workers; a bound on a hostile pool
  try {
    const bitcoin::Uint256 root = internal_hash(text(proof, "root"), "root");
    const u128 total = weight(proof, "total_weight");
    const std::string address = text(proof, "address");
    const auto& listed = field(proof, "leaves");
    if (!listed.IsArray()) throw BadProof("\"leaves\" is not a list");
    std::map<uint64_t, std::string> proof_leaves;  // index -> hash, as the proof lists them
    for (const auto& l : listed.GetArray()) {
      if (!proof_leaves.emplace(unsigned_int(l, "index"), text(l, "hash")).second) throw BadProof("a leaf is listed twice");
    }
    std::vector<bitcoin::Uint256> hashes;
    u128 sum = 0, address_sum = 0;
    size_t of_address = 0;
    std::optional<std::pair<std::string, std::string>> previous;  // (address, worker) of the last leaf
    for (;;) {  // each page starts where the last one ended
      const rapidjson::Document doc = page(static_cast<int64_t>(hashes.size()), kPage);
      const int64_t count = integer(doc, "leaf_count");
      if (count < 0 || count > kMaxLeaves) throw BadProof("the window claims " + std::to_string(count) + " leaves");
      const auto& leaves = field(doc, "leaves");
      if (!leaves.IsArray()) throw BadProof("the window's \"leaves\" is not a list");
      if (static_cast<int64_t>(leaves.Size()) > kPage) throw BadProof("the pool served a page larger than asked for");
      for (const auto& l : leaves.GetArray()) {
        const uint64_t index = unsigned_int(l, "index");
        if (index != hashes.size()) throw BadProof("the window's leaf " + std::to_string(index) + " is out of order");
        Leaf leaf{text(l, "address"), text(l, "worker"), unsigned_int(l, "first_share_id"), unsigned_int(l, "last_share_id"),
                  unsigned_int(l, "shares"), weight(l, "weight")};
        // Strictly increasing (address, worker), as the contract orders them: this is what stops a
        // window from repeating its last leaves, which Bitcoin's tree (an odd level pairs its last
        // node with itself) would hash to the same root (CVE-2012-2459) while adding weight.
        std::pair<std::string, std::string> key{leaf.address, leaf.worker};
        if (previous && !(*previous < key)) {
          throw BadProof("the window's leaf " + std::to_string(index) + " is not after the one before it in (address, worker) order");
        }
        previous = std::move(key);
        const bitcoin::Uint256 h = leaf_hash_v1(leaf);
        if (h.internal_hex() != text(l, "hash")) throw BadProof("the window's leaf " + std::to_string(index) + " does not hash to its hash");
        if (leaf.address == address) {
          const auto it = proof_leaves.find(index);
          if (it == proof_leaves.end() || it->second != h.internal_hex()) {
            throw BadProof("the window's leaf " + std::to_string(index) + " of " + address + " is not in the proof");
          }
          ++of_address;
          address_sum += leaf.weight;
        }
        if (sum + leaf.weight < sum) throw BadProof("the window's weights overflow 128 bits");
        sum += leaf.weight;
        hashes.push_back(h);
      }
      if (static_cast<int64_t>(hashes.size()) >= count || leaves.Empty()) {
        if (static_cast<int64_t>(hashes.size()) != count) throw BadProof("the window lists fewer leaves than its leaf_count");
        break;
      }
    }
    if (of_address != proof_leaves.size()) throw BadProof("the proof lists leaves the window does not give " + address);
    if (bitcoin::merkle_root(hashes) != root) throw BadProof("the root of all " + std::to_string(hashes.size()) + " leaves is not the proof's root");
    if (sum != total) throw BadProof("the leaves' weights add up to " + to_decimal(sum) + ", not total_weight " + to_decimal(total));
    if (address_sum != weight(proof, "address_weight")) {
      throw BadProof(address + "'s leaves in the window weigh " + to_decimal(address_sum) + ", not address_weight " +
                     to_decimal(weight(proof, "address_weight")));
    }
    report.ok("window", std::to_string(hashes.size()) + " leaves hash to the root; their weights add up to total_weight " +
                            to_decimal(total));
  } catch (const std::exception& e) {
    report.fail("window", e.what());
  }
}

void check_proof(const rapidjson::Value& proof, const std::string& address, Report& report) {
  try {
    if (text(proof, "address") != address) throw BadProof("the proof is for " + text(proof, "address"));
    const std::string root_hex = text(proof, "root");
    const bitcoin::Uint256 root = internal_hash(root_hex, "root");
    const auto& leaves = field(proof, "leaves");
    if (!leaves.IsArray() || leaves.Empty()) throw BadProof("\"leaves\" is not a non-empty list");
    u128 sum = 0;
    std::set<uint64_t> seen;
    for (const auto& l : leaves.GetArray()) {
      const uint64_t index = unsigned_int(l, "index");
      const std::string name = "leaf " + std::to_string(index);
      // A leaf listed twice would count its weight twice in address_weight and the credit.
      if (!seen.insert(index).second) throw BadProof(name + " is listed twice");
      Leaf leaf{address, text(l, "worker"), unsigned_int(l, "first_share_id"), unsigned_int(l, "last_share_id"),
                unsigned_int(l, "shares"), weight(l, "weight")};
      sum += leaf.weight;
      const std::string stated = text(l, "hash");
      const bitcoin::Uint256 computed = leaf_hash_v1(leaf);
      if (computed.internal_hex() != stated) {
        report.fail(name + " hash", "its fields (worker " + leaf.worker + ", shares " + std::to_string(leaf.first_share_id) +
                                        ".." + std::to_string(leaf.last_share_id) + ", weight " +
                                        to_decimal(leaf.weight) + ") hash to " + computed.internal_hex() +
                                        ", the proof says " + stated);
      } else {
        report.ok(name + " hash", stated + " = sha256d(v1 encoding of worker " + leaf.worker + ", weight " +
                                      to_decimal(leaf.weight) + ")");
      }
      std::vector<bitcoin::Uint256> path;
      const auto& p = field(l, "path");
      if (!p.IsArray()) throw BadProof(name + "'s \"path\" is not a list");
      for (const auto& h : p.GetArray()) {
        if (!h.IsString()) throw BadProof(name + "'s path holds a non-string");
        path.push_back(internal_hash(h.GetString(), name + "'s path entry"));
      }
      const bitcoin::Uint256 folded = fold_path(internal_hash(stated, name + "'s hash"), index, path);
      if (folded != root) {
        report.fail(name + " path", "folds to " + folded.internal_hex() + ", not the root " + root_hex);
      } else {
        report.ok(name + " path", std::to_string(path.size()) + " steps to the root " + root_hex);
      }
    }
    const u128 stated_weight = weight(proof, "address_weight");
    const u128 total = weight(proof, "total_weight");
    if (stated_weight != sum) {
      report.fail("address_weight", "the leaves add up to " + to_decimal(sum) + ", the proof says " + to_decimal(stated_weight));
    } else {
      report.ok("address_weight", to_decimal(sum) + " of total_weight " + to_decimal(total));
    }
    const int64_t reward = integer(proof, "reward_sats");
    const int64_t fee_ppm = integer(proof, "fee_ppm");
    if (fee_ppm < 0 || fee_ppm > 1000000 || reward < 0) throw BadProof("fee_ppm or reward_sats is out of range");
    const int64_t fee = fee_of(reward, fee_ppm);
    if (fee != integer(proof, "fee_sats") || reward - fee != integer(proof, "distributable_sats")) {
      report.fail("fee", "floor(" + std::to_string(reward) + " * " + std::to_string(fee_ppm) + " / 1000000) = " +
                             sats(fee) + " (distributable " + sats(reward - fee) + "), the proof says fee " +
                             sats(integer(proof, "fee_sats")) + ", distributable " +
                             sats(integer(proof, "distributable_sats")));
    } else {
      report.ok("fee", sats(fee) + " (" + std::to_string(fee_ppm) + " ppm of " + sats(reward) + "), distributable " +
                           sats(reward - fee));
    }
    const auto credit = credit_of(reward, fee_ppm, sum, total);
    const int64_t credited = integer(proof, "credited_sats");
    const bool in_ledger = proof.HasMember("credited") && proof["credited"].IsBool() && proof["credited"].GetBool();
    const std::string what = in_ledger ? "the pool credited " : "the pool will credit ";
    if (!credit) {
      report.fail("credit", "address_weight " + to_decimal(sum) + " cannot be a share of total_weight " + to_decimal(total));
    } else if (*credit != credited) {
      report.fail("credit", "floor(" + std::to_string(reward - fee) + " * " + to_decimal(sum) + " / " + to_decimal(total) +
                                ") = " + sats(*credit) + ", but " + what + sats(credited) + " for block " +
                                text(proof, "block_hash"));
    } else {
      report.ok("credit", what + sats(credited) + " = floor(" + std::to_string(reward - fee) + " * " + to_decimal(sum) +
                              " / " + to_decimal(total) + ")");
    }
  } catch (const BadProof& e) {
    report.fail("proof", std::string("malformed: ") + e.what());
  }
}

void check_chain(const rapidjson::Value& proof, const NodeCall& node, Report& report) {
  bitcoin::Uint256 root;
  try {
    root = internal_hash(text(proof, "root"), "root");
    const std::string block = text(proof, "block_hash");
    try {
      const auto b = node("getblock", "[\"" + block + "\",2]");
      if (!b.IsObject() || !b.HasMember("tx") || !b["tx"].IsArray() || b["tx"].Empty() || !b["tx"][0].IsObject() ||
          !b["tx"][0].HasMember("hex") || !b["tx"][0]["hex"].IsString()) {
        throw std::runtime_error("the node's getblock answer has no coinbase hex");
      }
      const int64_t depth = b.HasMember("confirmations") && b["confirmations"].IsInt64() ? b["confirmations"].GetInt64() : -1;
      const auto& coinbase = b["tx"][0];
      const auto tx = bitcoin::Transaction::from_hex(coinbase["hex"].GetString());
      const int64_t reward = integer(proof, "reward_sats");
      if (depth < 1) {
        report.fail("reward", "block " + block + " is not in your node's best chain (confirmations " + std::to_string(depth) + ")");
      } else if (tx.total_output_value() != reward) {
        report.fail("reward", "block " + block + "'s coinbase pays " + sats(tx.total_output_value()) +
                                  ", the proof splits " + sats(reward));
      } else {
        report.ok("reward", "block " + block + "'s coinbase pays " + sats(reward));
      }
    } catch (const BadProof&) {
      throw;
    } catch (const std::exception& e) {
      report.fail("reward", "cannot read block " + block + " from the node: " + e.what());
    }
    const auto& carrier = field(proof, "commitment_block");
    if (carrier.IsNull()) {
      report.fail("commitment", "NOT COMMITTED YET: no block of the pool carries root " + text(proof, "root") +
                                    " yet (try again after the pool's next block)");
      return;
    }
    const std::string carrier_hash = text(proof, "commitment_block");
    const std::string txid = text(proof, "commitment_txid");
    try {
      const auto b = node("getblock", "[\"" + carrier_hash + "\",2]");
      const int64_t confirmations = b.HasMember("confirmations") && b["confirmations"].IsInt64() ? b["confirmations"].GetInt64() : -1;
      const auto tx = bitcoin::Transaction::from_hex(b["tx"][0]["hex"].GetString());
      const bitcoin::Bytes expected = commitment_script(root);
      int found = -1;
      for (size_t i = 0; i < tx.outputs.size(); ++i) {
        if (tx.outputs[i].script_pubkey == expected) found = static_cast<int>(i);
      }
      if (confirmations < 1) {
        report.fail("commitment", "block " + carrier_hash + " is not in the node's best chain");
      } else if (tx.txid().hex() != txid) {
        report.fail("commitment", "block " + carrier_hash + "'s coinbase is " + tx.txid().hex() + ", the proof says " + txid);
      } else if (found < 0) {
        report.fail("commitment", "coinbase " + txid + " of block " + carrier_hash + " has no PPLN output with root " +
                                      text(proof, "root"));
      } else {
        report.ok("commitment", "coinbase " + txid + " output " + std::to_string(found) + " = OP_RETURN PPLN " +
                                    text(proof, "root") + " (block " + carrier_hash + ", " +
                                    std::to_string(confirmations) + " confirmations)");
      }
    } catch (const BadProof&) {
      throw;
    } catch (const std::exception& e) {
      report.fail("commitment", "cannot read block " + carrier_hash + " from the node: " + e.what());
    }
  } catch (const BadProof& e) {
    report.fail("proof", std::string("malformed: ") + e.what());
  }
}

void check_payments(const rapidjson::Value& proof, const std::string& address, bitcoin::Network network,
                    const NodeCall& node, Report& report) {
  try {
    const auto& payments = field(proof, "payments");
    if (!payments.IsArray()) throw BadProof("\"payments\" is not a list");
    const bitcoin::Bytes script = bitcoin::address_to_script(address, network);
    for (const auto& p : payments.GetArray()) {
      const std::string name = "payment " + std::to_string(integer(p, "payment_id"));
      const std::string txid = text(p, "txid");
      const int64_t item = integer(p, "sats");
      const std::optional<int64_t> fee =
          p.HasMember("fee_sats") && p["fee_sats"].IsInt64() ? std::optional<int64_t>(p["fee_sats"].GetInt64()) : std::nullopt;
      const int64_t recipients = p.HasMember("recipients") && p["recipients"].IsInt64() ? p["recipients"].GetInt64() : 1;
      std::optional<bitcoin::Transaction> tx;
      std::string tried;
      for (const char* method : {"getrawtransaction", "gettransaction"}) {
        try {
          const auto r = node(method, std::string("[\"") + txid + "\"" + (method[3] == 'r' ? ",true]" : "]"));
          tx = bitcoin::Transaction::from_hex(r["hex"].GetString());
          break;
        } catch (const std::exception& e) {
          tried += std::string(tried.empty() ? "" : "; ") + method + ": " + e.what();
        }
      }
      if (!tx) {
        report.fail(name, "transaction " + txid + " not found through the node (" + tried +
                              "); use a node with -txindex, or whose wallet holds it");
        continue;
      }
      if (tx->txid().hex() != txid) {
        report.fail(name, "the node returned " + tx->txid().hex() + " for " + txid);
        continue;
      }
      const auto allowed = expected_output_values(item, fee, recipients);
      std::string seen;
      int match = -1;
      for (size_t i = 0; i < tx->outputs.size(); ++i) {
        if (tx->outputs[i].script_pubkey != script) continue;
        seen += (seen.empty() ? "" : ", ") + std::to_string(i) + ": " + sats(tx->outputs[i].value);
        for (const int64_t v : allowed) {
          if (tx->outputs[i].value == v) match = static_cast<int>(i);
        }
      }
      if (p.HasMember("vout") && p["vout"].IsInt() && match != p["vout"].GetInt()) {
        report.fail(name, txid + ":" + std::to_string(p["vout"].GetInt()) + " is not the output paying " + address +
                              " (outputs to it: " + (seen.empty() ? "none" : seen) + ")");
      } else if (match < 0) {
        report.fail(name, txid + " pays " + address + " " + (seen.empty() ? "nothing" : seen) + "; expected " +
                              sats(allowed.front()) + " (" + sats(item) + " less its share of the " +
                              (fee ? sats(*fee) : std::string("unknown")) + " fee)");
      } else {
        report.ok(name, txid + ":" + std::to_string(match) + " pays " + sats(tx->outputs[static_cast<size_t>(match)].value) +
                            " = " + sats(item) + " less its share of the " + (fee ? sats(*fee) : sats(0)) + " fee");
      }
    }
    if (payments.Empty()) report.ok("payments", "none listed yet");
  } catch (const BadProof& e) {
    report.fail("proof", std::string("malformed: ") + e.what());
  } catch (const bitcoin::AddressError& e) {
    report.fail("payments", "address " + address + " is not for this node's network: " + e.what());
  }
}

}  // namespace pool::verify
