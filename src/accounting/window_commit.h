#pragma once
// Commits found blocks' PPLNS windows: the leader streams the shares a block will be paid from
// (Store::walk_window at the block's found_ms, pplns_window x its network difficulty), builds the
// leaves and the root (window_tree.h), fixes the pool fee of that moment and stores it all once
// (Store::store_block_window). From then on the block is credited from exactly these leaves,
// whatever happens to the shares table (pruning, late writes) or to the fee setting.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "accounting/pplns.h"
#include "store/store.h"

namespace pool::accounting {

/// Computes and stores `block`'s window unless it has one; returns the window stored for it
/// (another leader's, if that one was first). Logs one line with the root when it commits.
store::BlockWindow commit_block_window(store::Store& store, const store::BlockRecord& block, double pplns_window,
                                       double fee_percentage, int64_t now_ms);

/// Commits the window of every PPLNS block that awaits the node (found, submitted, pending), has
/// none yet and is `ready` (every such block when `ready` is empty); returns how many it committed.
int commit_found_windows(store::Store& store, double pplns_window, double fee_percentage, int64_t now_ms,
                         const std::function<bool(const store::BlockRecord&)>& ready = {});

/// Every leaf of a block's committed window, by index (read page by page).
std::vector<store::WindowLeafRow> all_window_leaves(store::Store& store, const std::string& block_hash);

/// The split a PPLNS block is credited with: its committed window's (committed now, with the
/// current fee, when it has none: a block found before windows were committed). Throws
/// std::invalid_argument naming the block when its stored window is damaged.
Split committed_split(store::Store& store, const store::BlockRecord& block, double pplns_window, double fee_percentage,
                      int64_t now_ms);

}  // namespace pool::accounting
