#pragma once
// Found blocks through their life: recorded when submitted, `pending` until 100 confirmations,
// then credited (`confirmed`); a block no longer at its height in the best chain is `orphaned`
// and never credited. Checked on every new block.
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
};

/// Records a submitted block (rejected ones too, with status "rejected"); never throws.
void record_found_block(store::Store& store, const mining::FoundBlock& found, const mining::SubmitResult& result,
                        const std::string& scheme);

/// Updates every pending block against the node: confirmations, crediting, orphaning. Returns
/// how many blocks changed state. Throws node errors (the caller retries on the next block).
int check_maturity(store::Store& store, node::BitcoinNode& node, const MaturityOptions& options);

}  // namespace pool::accounting
