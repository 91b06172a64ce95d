#include "accounting/maturity.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "accounting/pplns.h"
#include "bitcoin/target.h"

namespace pool::accounting {

void record_found_block(store::Store& store, const mining::FoundBlock& found, const mining::SubmitResult& result,
                        const std::string& scheme) {
  store::BlockRecord b;
  b.hash = result.hash.hex();
  b.height = found.job->height;
  b.reward_sats = found.job->coinbase_value;
  b.finder = found.share.worker;
  b.status = result.status == mining::SubmitStatus::kRejected ? "rejected" : "pending";
  b.found_ms = std::chrono::duration_cast<std::chrono::milliseconds>(found.share.time.time_since_epoch()).count();
  b.network_difficulty = bitcoin::difficulty_from_bits(found.job->bits);
  b.scheme = scheme;
  for (int attempt = 0; attempt < 100; ++attempt) {
    try {
      store.insert_block(b);
      return;
    } catch (const std::exception& e) {
      spdlog::error("blocks: cannot record block {} ({}); retrying", b.hash, e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

int check_maturity(store::Store& store, node::BitcoinNode& node, const MaturityOptions& options) {
  const auto pending = store.blocks(std::string("pending"), 100000);
  if (pending.empty()) return 0;
  const int64_t tip = node.get_block_count();
  int changed = 0;
  for (const auto& b : pending) {
    if (b.height > tip) continue;  // the node has not caught up with this height yet
    const auto at_height = node.get_block_hash(b.height);
    if (!at_height || at_height->hex() != b.hash) {
      if (store.orphan_block(b.hash)) {
        spdlog::warn("block {} at height {} is no longer in the best chain: orphaned, never credited", b.hash, b.height);
        ++changed;
      }
      continue;
    }
    const int64_t confirmations = tip - b.height + 1;
    store.set_confirmations(b.hash, confirmations);
    if (confirmations < options.confirmations_needed) continue;
    Split split;
    if (b.scheme == "pplns") {
      split = split_window(store, b.found_ms, options.pplns_window * b.network_difficulty, b.reward_sats,
                           options.fee_percentage);
    }
    if (store.credit_block(b.hash, split.credits, split.pool_sats())) {
      spdlog::info("block {} at height {} matured ({} confirmations): {} sat credited to {} miners, {} sat to the pool",
                   b.hash, b.height, confirmations, b.reward_sats - split.pool_sats(), split.credits.size(),
                   split.pool_sats());
      ++changed;
    }
  }
  return changed;
}

}  // namespace pool::accounting
