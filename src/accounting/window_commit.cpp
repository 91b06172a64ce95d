#include "accounting/window_commit.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "accounting/window_tree.h"

namespace pool::accounting {

namespace {

constexpr int64_t kLeafPage = 10000;

}  // namespace

store::BlockWindow commit_block_window(store::Store& store, const store::BlockRecord& block, double pplns_window,
                                       double fee_percentage, int64_t now_ms) {
  if (auto stored = store.block_window(block.hash)) return *stored;
  // Two walks over one snapshot, as split_window: the largest difficulty, then every share.
  double max_difficulty = 0;
  std::optional<WindowTreeBuilder> builder;
  store.walk_window(block.found_ms, pplns_window * block.network_difficulty, 2,
                    [&](int pass, const store::WindowShare& s) {
                      if (pass == 0) {
                        if (std::isfinite(s.difficulty)) max_difficulty = std::max(max_difficulty, s.difficulty);
                        return;
                      }
                      if (!builder) builder.emplace(max_difficulty);
                      builder->add(s);
                    });
  const std::vector<WindowLeaf> leaves = builder ? builder->leaves() : std::vector<WindowLeaf>{};
  const auto total = total_weight(leaves);
  if (!total) throw std::runtime_error("block " + block.hash + ": the PPLNS window's weights overflow 128 bits");
  store::BlockWindow window;
  window.block_hash = block.hash;
  window.root = window_root(leaves).internal_hex();
  window.total_weight = u128_to_decimal(*total);
  window.fee_ppm = fee_ppm_of(fee_percentage);
  window.reward_sats = block.reward_sats;
  window.leaf_count = static_cast<int64_t>(leaves.size());
  window.created_ms = now_ms;
  if (store.store_block_window(window, leaf_rows(leaves))) {
    spdlog::info("block {} at height {}: PPLNS window committed, root {} ({} leaves, total weight {}, fee {} ppm)",
                 block.hash, block.height, window.root, window.leaf_count, window.total_weight, window.fee_ppm);
    return window;
  }
  auto stored = store.block_window(block.hash);  // another leader committed it first
  if (!stored) throw std::runtime_error("block " + block.hash + ": its PPLNS window could not be stored");
  return *stored;
}

int commit_found_windows(store::Store& store, double pplns_window, double fee_percentage, int64_t now_ms,
                         const std::function<bool(const store::BlockRecord&)>& ready) {
  int committed = 0;
  for (const auto& block : store.blocks_needing_window(1000)) {
    if (ready && !ready(block)) continue;
    commit_block_window(store, block, pplns_window, fee_percentage, now_ms);
    ++committed;
  }
  return committed;
}

std::vector<store::WindowLeafRow> all_window_leaves(store::Store& store, const std::string& block_hash) {
  std::vector<store::WindowLeafRow> out;
  while (true) {
    auto page = store.window_leaves(block_hash, static_cast<int64_t>(out.size()), kLeafPage);
    const bool last = static_cast<int64_t>(page.size()) < kLeafPage;
    out.insert(out.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
    if (last) return out;
  }
}

Split committed_split(store::Store& store, const store::BlockRecord& block, double pplns_window, double fee_percentage,
                      int64_t now_ms) {
  const store::BlockWindow window = commit_block_window(store, block, pplns_window, fee_percentage, now_ms);
  const auto leaves = all_window_leaves(store, block.hash);
  if (static_cast<int64_t>(leaves.size()) != window.leaf_count) {
    throw std::invalid_argument("block " + block.hash + ": its committed window has " + std::to_string(leaves.size()) +
                             " leaves stored, " + std::to_string(window.leaf_count) + " recorded");
  }
  return split_committed(window, leaves);
}

}  // namespace pool::accounting
