#pragma once
// Keeps the share table from growing without bound: deletes shares that are older than the
// retention age AND that no block can still be paid from — neither the PPLNS window of a block
// not credited yet (found, submitted or pending, in the database or still on its way there)
// whose window is not committed yet (a committed window is credited from its stored leaves) nor
// the window of a block found from now on (sized for the network difficulty rising by up to
// `difficulty_headroom` before that block is found).
#include <cstdint>
#include <functional>
#include <vector>

#include "store/store.h"

namespace pool::accounting {

struct RetentionOptions {
  double retention_days = 7;       // 0 keeps every share forever
  double pplns_window = 2;         // multiple of the network difficulty, as in MaturityOptions
  double difficulty_headroom = 4;  // Bitcoin's largest retarget step
  int batch = 10000;               // shares per delete transaction, so share writes never wait long
  /// Found blocks not in the database yet (BlockLedger::waiting), whose windows must stay too.
  std::function<std::vector<store::BlockRecord>()> unstored_blocks;
};

struct PruneReport {
  uint64_t deleted = 0;
  int64_t kept_from_id = 0;  // shares with smaller ids were candidates (0: nothing could go)
};

/// Deletes what may go, in batches. `network_difficulty` is the node's current difficulty.
PruneReport prune_shares(store::Store& store, double network_difficulty, const RetentionOptions& options,
                         int64_t now_ms);

}  // namespace pool::accounting
