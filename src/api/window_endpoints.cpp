#include "api/window_endpoints.h"

#include <map>

#include "accounting/window_tree.h"
#include "bitcoin/address.h"
#include "bitcoin/hex.h"
#include "bitcoin/merkle.h"
#include "util/json.h"
#include "util/text.h"

namespace pool::api {

namespace {

constexpr const char* kRounding = "floor(distributable*address_weight/total_weight); remainder to the pool";
constexpr const char* kFormula =
    "fee_sats = floor(reward_sats*fee_ppm/1000000); distributable_sats = reward_sats - fee_sats; "
    "credited_sats = floor(distributable_sats*address_weight/total_weight)";

net::HttpResponse json(int status, std::string body) { return {status, "application/json", std::move(body)}; }
net::HttpResponse error(int status, const std::string& message) {
  return json(status, "{\"error\":" + util::quote(message) + "}");
}

/// A request the caller got wrong: answered 4xx with the message.
struct BadRequest {
  int status;
  std::string message;
};

bool is_block_hash(const std::string& s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string text_or_null(const std::string& s) { return s.empty() ? "null" : "\"" + s + "\""; }

/// Query parameters (name=value pairs separated by '&'); later duplicates win.
std::map<std::string, std::string> query_of(const std::string& target) {
  std::map<std::string, std::string> out;
  const auto q = target.find('?');
  if (q == std::string::npos) return out;
  std::string rest = target.substr(q + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    const size_t end = std::min(rest.find('&', start), rest.size());
    const std::string pair = rest.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (!pair.empty()) out[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    start = end + 1;
  }
  return out;
}

/// A non-negative decimal parameter no larger than `max`, or `fallback` when absent.
int64_t count_param(const std::map<std::string, std::string>& query, const std::string& name, int64_t fallback,
                    int64_t max) {
  const auto it = query.find(name);
  if (it == query.end()) return fallback;
  const std::string& v = it->second;
  const std::string bad = name + " must be a whole number from 0 to " + std::to_string(max) + ", not '" +
                          util::printable(v.substr(0, 32)) + "'";
  if (v.empty() || v.size() > 18) throw BadRequest{400, bad};
  int64_t n = 0;
  for (const char c : v) {
    if (c < '0' || c > '9') throw BadRequest{400, bad};
    n = n * 10 + (c - '0');
  }
  if (n > max) throw BadRequest{400, bad};
  return n;
}

/// The block's committed window, or 404 naming what is missing.
store::BlockWindow window_of(store::Store& store, const std::string& hash) {
  auto window = store.block_window(hash);
  if (window) return *window;
  if (store.block_credit_trail(hash, "", 0)) {
    throw BadRequest{404, "block " + hash + " has no committed PPLNS window (a SOLO block, or not yet committed)"};
  }
  throw BadRequest{404, "unknown block " + hash};
}

std::string height_of(store::Store& store, const std::string& hash) {
  const auto trail = store.block_credit_trail(hash, "", 0);
  return trail ? std::to_string(trail->height) : "null";
}

std::string summary_json(const store::BlockWindow& w, const std::string& height) {
  return "\"block_hash\":\"" + w.block_hash + "\",\"height\":" + height + ",\"root\":\"" + w.root +
         "\",\"total_weight\":\"" + w.total_weight + "\",\"reward_sats\":" + std::to_string(w.reward_sats) +
         ",\"fee_ppm\":" + std::to_string(w.fee_ppm) + ",\"fee_sats\":" +
         std::to_string(accounting::split_by_weights({}, 0, w.reward_sats, w.fee_ppm).fee_sats);
}

std::string commitment_json(const store::BlockWindow& w) {
  return "\"commitment_block\":" + text_or_null(w.commitment_block) + ",\"commitment_txid\":" +
         text_or_null(w.commitment_txid);
}

std::string leaf_fields(const store::WindowLeafRow& l) {
  return "\"worker\":" + util::quote(l.worker) + ",\"first_share_id\":" + std::to_string(l.first_share_id) +
         ",\"last_share_id\":" + std::to_string(l.last_share_id) + ",\"shares\":" + std::to_string(l.shares) +
         ",\"weight\":\"" + l.weight + "\"";
}

net::HttpResponse window_page(store::Store& store, const std::string& hash, const std::string& target) {
  const auto query = query_of(target);
  const int64_t offset = count_param(query, "offset", 0, INT64_C(999999999999999999));
  const int64_t limit = count_param(query, "limit", kWindowPageDefault, kWindowPageMax);
  const store::BlockWindow w = window_of(store, hash);
  if (offset > w.leaf_count) {
    throw BadRequest{400, "offset " + std::to_string(offset) + " is beyond the window's " +
                              std::to_string(w.leaf_count) + " leaves"};
  }
  std::string leaves;
  for (const auto& l : store.window_leaves(hash, offset, limit)) {
    leaves += (leaves.empty() ? "{\"index\":" : ",{\"index\":") + std::to_string(l.index) +
              ",\"address\":" + util::quote(l.address) + "," + leaf_fields(l) + ",\"hash\":\"" + l.hash + "\"}";
  }
  return json(200, "{" + summary_json(w, height_of(store, hash)) + ",\"rounding\":\"" + kRounding +
                       "\",\"leaf_count\":" + std::to_string(w.leaf_count) + ",\"offset\":" + std::to_string(offset) +
                       ",\"limit\":" + std::to_string(limit) + ",\"leaves\":[" + leaves + "]," + commitment_json(w) +
                       "}");
}

/// Every leaf of the window in index order, for the paths and the split. Throws when the stored
/// window is not whole (a corrupted database): no path could be right then.
std::vector<store::WindowLeafRow> all_leaves(store::Store& store, const store::BlockWindow& w) {
  auto rows = store.window_leaves(w.block_hash, 0, w.leaf_count);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& l = rows[i];
    if (l.index != static_cast<int64_t>(i) || l.hash.size() != 64 || !bitcoin::is_hex(l.hash)) {
      rows.resize(i);
      break;
    }
  }
  if (static_cast<int64_t>(rows.size()) != w.leaf_count) {
    throw store::StoreError("the stored window of block " + w.block_hash + " is incomplete (" +
                            std::to_string(rows.size()) + " of " + std::to_string(w.leaf_count) + " leaves)");
  }
  return rows;
}

net::HttpResponse proof(store::Store& store, bitcoin::Network network, const std::string& hash,
                        const std::string& asked) {
  std::string address;  // the spelling the pool credits (an upper-case bech32 address is lowered)
  try {
    address = bitcoin::canonical_address(asked, network);
  } catch (const bitcoin::AddressError& e) {
    throw BadRequest{400, "invalid address '" + util::printable(asked.substr(0, 100)) + "': " + e.what()};
  }
  const store::BlockWindow w = window_of(store, hash);
  const auto mine = store.window_leaves_of(hash, address);
  if (mine.empty()) throw BadRequest{404, "address " + address + " has no shares in the window of block " + hash};
  const auto rows = all_leaves(store, w);
  std::vector<bitcoin::Uint256> hashes;
  hashes.reserve(rows.size());
  for (const auto& l : rows) hashes.push_back(bitcoin::Uint256::from_internal(bitcoin::from_hex(l.hash)));
  const auto levels = bitcoin::merkle_levels(std::move(hashes));  // once: every path below is O(log n)
  // What the committed window gives, by the one split the money path uses (throws StoreError on
  // a malformed weight).
  accounting::Split split;
  try {
    split = accounting::split_committed(w, rows);
  } catch (const std::invalid_argument& e) {
    throw store::StoreError(e.what());
  }
  unsigned __int128 address_weight = 0;
  std::string leaves;
  for (const auto& l : mine) {
    const auto weight = accounting::decimal_to_u128(l.weight);
    if (!weight || l.index < 0 || l.index >= w.leaf_count) {
      throw store::StoreError("leaf " + std::to_string(l.index) + " of block " + hash + " is corrupt");
    }
    address_weight += *weight;
    std::string path;
    for (const auto& sibling : bitcoin::merkle_path(levels, static_cast<size_t>(l.index))) {
      path += (path.empty() ? "\"" : ",\"") + sibling.internal_hex() + "\"";
    }
    leaves += (leaves.empty() ? "{\"index\":" : ",{\"index\":") + std::to_string(l.index) + ",\"hash\":\"" + l.hash +
              "\",\"path\":[" + path + "]," + leaf_fields(l) + "}";
  }
  const auto trail = store.block_credit_trail(hash, address, kProofPaymentsMax);
  const int64_t fee = split.fee_sats;
  // Credited: what the ledger holds (0 when the address's share rounded to nothing). Not yet:
  // what the committed window will give.
  const bool credited = trail && trail->status == "confirmed";
  const auto mine_split = split.credits.find(address);
  const int64_t credit = credited ? trail->credited_sats.value_or(0)
                                  : (mine_split == split.credits.end() ? 0 : mine_split->second);
  std::string payments;
  if (trail) {
    for (const auto& p : trail->payments) {
      payments += (payments.empty() ? "{\"payment_id\":" : ",{\"payment_id\":") + std::to_string(p.payment_id) +
                  ",\"txid\":\"" + p.txid + "\",\"vout\":null,\"sats\":" + std::to_string(p.sats) + ",\"fee_sats\":" +
                  (p.fee_sats ? std::to_string(*p.fee_sats) : "null") + ",\"recipients\":" +
                  std::to_string(p.recipients) + ",\"created_ms\":" + std::to_string(p.created_ms) + "}";
    }
  }
  return json(200, "{" + summary_json(w, trail ? std::to_string(trail->height) : "null") + ",\"address\":" +
                       util::quote(address) + ",\"leaves\":[" + leaves + "],\"address_weight\":\"" +
                       accounting::u128_to_decimal(address_weight) + "\",\"distributable_sats\":" +
                       std::to_string(w.reward_sats - fee) + ",\"credited_sats\":" + std::to_string(credit) +
                       ",\"credited\":" + (credited ? "true" : "false") + ",\"block_status\":" +
                       (trail ? util::quote(trail->status) : "null") + ",\"formula\":\"" + kFormula + "\"," +
                       commitment_json(w) + ",\"payments\":[" + payments + "]}");
}

}  // namespace

std::optional<net::HttpResponse> window_endpoint(store::Store& store, bitcoin::Network network,
                                                 const std::string& target) {
  static const std::string kPrefix = "/api/blocks/";
  const std::string path = target.substr(0, target.find('?'));
  if (path.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string rest = path.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::string hash = rest.substr(0, slash);
  for (char& c : hash) c = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  const std::string what = rest.substr(slash + 1);
  const bool is_window = what == "window";
  const bool is_proof = what.rfind("proof/", 0) == 0;
  if (!is_window && !is_proof) return std::nullopt;
  try {
    if (!is_block_hash(hash)) {
      throw BadRequest{400, "malformed block hash '" + util::printable(hash.substr(0, 80)) +
                                "': 64 lower-case hex digits in display order (as Bitcoin Core prints it)"};
    }
    if (is_window) return window_page(store, hash, target);
    const std::string address = what.substr(6);
    if (address.empty() || address.find('/') != std::string::npos) {
      throw BadRequest{400, "malformed address in '" + util::printable(what.substr(0, 120)) + "'"};
    }
    return proof(store, network, hash, address);
  } catch (const BadRequest& e) {
    return error(e.status, e.message);
  } catch (const std::exception& e) {
    return error(503, std::string("temporarily unavailable: ") + e.what());
  }
}

}  // namespace pool::api
