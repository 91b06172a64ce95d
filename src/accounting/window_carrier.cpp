#include "accounting/window_carrier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "bitcoin/block.h"
#include "bitcoin/hex.h"
#include "mining/window_commitment_output.h"

namespace pool::accounting {

namespace {

/// A block that is or may still be on the chain (a carrier that counts, a window worth carrying).
bool alive(const std::string& status) { return status != "orphaned" && status != "rejected"; }

std::optional<bitcoin::Uint256> root_of(const std::string& internal_hex) {
  if (internal_hex.size() != 64 || !bitcoin::is_hex(internal_hex)) return std::nullopt;
  return bitcoin::Uint256::from_internal(bitcoin::from_hex(internal_hex));
}

/// The PPLN root in a serialized block's coinbase (only the header and the first transaction are parsed).
std::optional<CarriedRoot> coinbase_commitment(const std::string& block_hex) {
  const bitcoin::Bytes bytes = bitcoin::from_hex(block_hex);
  bitcoin::ByteReader reader(bytes);
  bitcoin::BlockHeader::parse(reader);
  if (reader.compact_size() == 0) return std::nullopt;
  const bitcoin::Transaction coinbase = bitcoin::Transaction::parse(reader);
  const auto root = mining::find_window_commitment(coinbase);
  if (!root) return std::nullopt;
  return CarriedRoot{*root, coinbase.txid().hex()};
}

}  // namespace

CarrierPlan plan_window_carriers(const std::vector<store::BlockWindow>& windows,
                                 const std::map<std::string, store::BlockRecord>& blocks,
                                 const std::map<std::string, CarriedRoot>& carried) {
  // Live blocks by the root their coinbase carries, the earliest found first.
  std::map<bitcoin::Uint256, std::vector<std::tuple<int64_t, std::string, std::string>>> carriers;
  for (const auto& [hash, c] : carried) {
    const auto b = blocks.find(hash);
    if (b == blocks.end() || !alive(b->second.status)) continue;
    carriers[c.root].emplace_back(b->second.found_ms, hash, c.coinbase_txid);
  }
  for (auto& [root, list] : carriers) std::sort(list.begin(), list.end());

  // The windows, most recently found block first.
  auto found_ms = [&](const store::BlockWindow& w) {
    const auto b = blocks.find(w.block_hash);
    return b == blocks.end() ? w.created_ms : b->second.found_ms;
  };
  std::vector<const store::BlockWindow*> order;
  for (const auto& w : windows) order.push_back(&w);
  std::sort(order.begin(), order.end(), [&](const auto* a, const auto* b) {
    return std::make_pair(found_ms(*a), a->block_hash) > std::make_pair(found_ms(*b), b->block_hash);
  });

  CarrierPlan plan;
  for (const auto* w : order) {
    const auto root = root_of(w->root);
    if (!root || root->is_zero()) continue;  // damaged (the audit names it) or empty: nothing to commit
    bool carried_now = false;
    if (!w->commitment_block.empty()) {
      const auto c = blocks.find(w->commitment_block);
      carried_now = c == blocks.end() || alive(c->second.status);  // a block we cannot see is kept
    }
    if (!carried_now) {
      const auto list = carriers.find(*root);
      if (list != carriers.end()) {
        for (const auto& [ms, hash, txid] : list->second) {
          if (hash == w->block_hash) continue;
          plan.changes.push_back({w->block_hash, hash, txid});
          carried_now = true;
          break;
        }
      }
      if (!carried_now && !w->commitment_block.empty()) plan.changes.push_back({w->block_hash, "", ""});
    }
    const auto own = blocks.find(w->block_hash);
    if (!carried_now && !plan.carry && own != blocks.end() && alive(own->second.status)) {
      plan.carry = *root;
      plan.carry_block = w->block_hash;
    }
  }
  return plan;
}

void WindowCarrier::refresh(store::Store& store, bool pplns, const Carry& carry) {
  if (!pplns) {
    tell(std::nullopt, "", carry);
    return;
  }
  std::map<std::string, store::BlockRecord> blocks;
  for (auto& b : store.blocks(std::nullopt, 1000000)) blocks.emplace(b.hash, std::move(b));
  for (const auto& [hash, b] : blocks) {
    if (!store::block_awaits_node(b.status) || read_.count(hash)) continue;
    std::optional<CarriedRoot> root;
    const auto hex = store.block_hex(hash);
    if (hex && !hex->empty()) {
      try {
        root = coinbase_commitment(*hex);
      } catch (const std::exception& e) {
        spdlog::warn("block {}: its stored block cannot be read for a window commitment: {}", hash, e.what());
      }
    }
    read_[hash] = root;
  }
  std::map<std::string, CarriedRoot> carried;
  for (auto it = read_.begin(); it != read_.end();) {
    const auto b = blocks.find(it->first);
    if (b == blocks.end() || !alive(b->second.status)) {
      it = read_.erase(it);  // gone for good: it carries nothing any more
      continue;
    }
    if (it->second) carried.emplace(it->first, *it->second);
    ++it;
  }
  const auto windows = store.block_windows(1000000);
  const CarrierPlan plan = plan_window_carriers(windows, blocks, carried);
  for (const auto& c : plan.changes) {
    std::string old;
    for (const auto& w : windows) {
      if (w.block_hash == c.window_block) old = w.commitment_block;
    }
    store.set_window_commitment(c.window_block, c.carrier_block, c.carrier_txid);
    if (!c.carrier_block.empty()) {
      spdlog::info("block {}: its PPLNS window root is committed on-chain in our block {} (coinbase {})", c.window_block,
                   c.carrier_block, c.carrier_txid);
    } else {
      const auto b = blocks.find(old);
      spdlog::warn("block {}: block {} that carried its PPLNS window root is {}; the root will be carried again",
                   c.window_block, old, b == blocks.end() ? "gone" : b->second.status);
    }
  }
  tell(plan.carry, plan.carry_block, carry);
}

void WindowCarrier::tell(const std::optional<bitcoin::Uint256>& root, const std::string& block, const Carry& carry) {
  if (told_ && *told_ == root) return;
  if (root) {
    spdlog::info("mining: the next coinbases carry the PPLNS window root {} of block {}", root->internal_hex(), block);
  } else if (told_) {
    spdlog::info("mining: no PPLNS window root to carry");
  }
  if (carry) carry(root);
  told_ = root;
}

}  // namespace pool::accounting
