#include "accounting/share_retention.h"

#include <algorithm>

namespace pool::accounting {

PruneReport prune_shares(store::Store& store, double network_difficulty, const RetentionOptions& options,
                         int64_t now_ms) {
  PruneReport report;
  if (options.retention_days <= 0 || network_difficulty <= 0) return report;

  // The next block's window, with room for the difficulty to rise before it is found. Windows
  // only move forward as shares arrive, so a later block never reaches further back than this.
  auto keep_from = store::window_start_id(store, now_ms, options.pplns_window * options.difficulty_headroom * network_difficulty);
  if (!keep_from) return report;  // the shares do not even fill it: every one may still be paid
  // Blocks not credited yet (found, submitted, pending, and those not even in the database yet)
  // are credited from the window at the time they were found: the shares of those whose window is
  // not committed yet must stay.
  std::vector<store::BlockRecord> uncredited;
  for (const char* status : {"found", "submitted", "pending"}) {
    const auto some = store.blocks(std::string(status), 100000);
    uncredited.insert(uncredited.end(), some.begin(), some.end());
  }
  if (options.unstored_blocks) {
    const auto some = options.unstored_blocks();
    uncredited.insert(uncredited.end(), some.begin(), some.end());
  }
  for (const auto& block : uncredited) {
    if (block.scheme != "pplns" || !store::block_awaits_node(block.status)) continue;
    // A committed window is credited from its stored leaves: its shares are no longer needed.
    if (store.block_window(block.hash)) continue;
    const auto start = store::window_start_id(store, block.found_ms, options.pplns_window * block.network_difficulty);
    if (!start) return report;  // that block is paid from every share it can see
    keep_from = std::min(*keep_from, *start);
  }

  report.kept_from_id = *keep_from;
  const auto older_than_ms = now_ms - static_cast<int64_t>(options.retention_days * 86400.0 * 1000.0);
  while (true) {
    const uint64_t n = store.delete_shares(*keep_from, older_than_ms, options.batch);
    report.deleted += n;
    if (n < static_cast<uint64_t>(options.batch)) break;
  }
  return report;
}

}  // namespace pool::accounting
