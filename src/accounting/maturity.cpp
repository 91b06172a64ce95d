#include "accounting/maturity.h"

#include <spdlog/spdlog.h>

#include "accounting/block_ledger.h"
#include "accounting/pplns.h"
#include "accounting/window_commit.h"
#include "bitcoin/hex.h"

namespace pool::accounting {

namespace {

/// The block's depth in the best chain, -1 when it is not in it (or the node does not know it).
int64_t best_chain_confirmations(node::BitcoinNode& node, const std::string& hash) {
  if (hash.size() != 64 || !bitcoin::is_hex(hash)) return -1;  // not a block hash: never on the chain
  try {
    return node.get_block_header(bitcoin::Uint256::from_hex(hash)).confirmations;
  } catch (const node::RpcError& e) {
    if (e.code() == -5) return -1;  // "Block not found"
    throw;
  }
}

}  // namespace

int check_maturity(store::Store& store, node::BitcoinNode& node, const MaturityOptions& options) {
  int changed = resubmit_unsettled_blocks(nullptr, store, node);
  const auto pending = store.blocks(std::string("pending"), 100000);
  if (pending.empty()) return changed;
  const int64_t tip = node.get_block_count();
  for (const auto& b : pending) {
    if (b.height > tip) continue;  // the node has not caught up with this height yet
    const int64_t confirmations = best_chain_confirmations(node, b.hash);
    if (confirmations < 0) {
      if (tip - b.height >= options.orphan_depth) {
        if (store.orphan_block(b.hash)) {
          spdlog::warn("block {} at height {} is off the best chain, which is {} blocks above it: orphaned, never "
                       "credited",
                       b.hash, b.height, tip - b.height);
          ++changed;
        }
      } else if (b.confirmations != -1) {
        spdlog::warn("block {} at height {} is not on the best chain now; it stays pending while its branch may "
                     "still win",
                     b.hash, b.height);
        store.set_confirmations(b.hash, -1);
      }
      continue;
    }
    if (b.confirmations < 0) {
      spdlog::info("block {} at height {} is back on the best chain ({} confirmations)", b.hash, b.height,
                   confirmations);
    }
    store.set_confirmations(b.hash, confirmations);
    if (confirmations < options.confirmations_needed) continue;
    Split split;
    if (b.scheme == "pplns") {
      // Exactly the committed window (committed now if the block has none yet).
      try {
        split = committed_split(store, b, options.pplns_window, options.fee_percentage, store::now_ms());
      } catch (const std::invalid_argument& e) {
        spdlog::error("block {} at height {} is not credited: {} (see poold --audit)", b.hash, b.height, e.what());
        continue;
      }
    }
    if (store.credit_block(b.hash, split.credits, split.pool_sats())) {
      spdlog::info("block {} at height {} matured ({} confirmations): {} sat credited to {} miners, {} sat to the pool{}",
                   b.hash, b.height, confirmations, b.reward_sats - split.pool_sats(), split.credits.size(),
                   split.pool_sats(), b.scheme == "pplns" ? " (its committed window)" : "");
      ++changed;
    }
  }
  return changed;
}

}  // namespace pool::accounting
