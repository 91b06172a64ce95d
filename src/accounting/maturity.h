#pragma once
// Found blocks after the node accepted them: `pending` until credited at 100 confirmations on the
// best chain (`confirmed`, once). The node judges reorgs: getblockheader's confirmations, -1 when
// the block is not on the best chain. A block off the best chain stays pending (confirmations
// -1) and is checked again on every new block, since its branch may still win; only when the best
// chain is 100 or more blocks above it is it `orphaned`, for good, never credited. Blocks found
// but not settled (found, submitted) are submitted again first. A PPLNS block is credited from
// exactly its committed window (window_commit.h: leaves, reward and fee fixed when it was
// found); a block that has none yet (found before windows were committed) gets one first.
#include <string>

#include "mining/block_pipeline.h"
#include "node/bitcoin_node.h"
#include "store/store.h"

namespace pool::accounting {

struct MaturityOptions {
  std::string scheme = "pplns";  // pplns | solo
  double fee_percentage = 1.0;
  double pplns_window = 2;       // multiple of the block's network difficulty
  int64_t confirmations_needed = 100;
  int64_t orphan_depth = 100;    // off the best chain with the tip this far above: orphaned
};

/// Updates every pending block against the node: confirmations, crediting, orphaning. Returns
/// how many blocks changed state. Throws node errors (the caller retries on the next block).
int check_maturity(store::Store& store, node::BitcoinNode& node, const MaturityOptions& options);

}  // namespace pool::accounting
