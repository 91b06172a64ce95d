#pragma once
// The SQL behind the committed PPLNS windows (Store::store_block_window and friends), written
// once for both backends through SqlRunner. The caller holds the connection and, for writes,
// the transaction and the fence.
#include <optional>
#include <string>
#include <vector>

#include "store/sql_runner.h"
#include "store/store.h"

namespace pool::store::window_queries {

/// The WHERE and ORDER BY of Store::blocks_needing_window over `blocks b` (no parameters).
inline constexpr const char* kNeedingWindow =
    "WHERE b.scheme = 'pplns' AND b.status IN ('found', 'submitted', 'pending')"
    " AND NOT EXISTS (SELECT 1 FROM block_windows w WHERE w.block_hash = b.hash) ORDER BY b.found_ms, b.hash";

/// Uncredited PPLNS blocks without a committed window, oldest first (Store::blocks_needing_window).
std::vector<BlockRecord> needing_window(SqlRunner& sql, int limit);

/// False (nothing written) when the block already has a window.
bool insert(SqlRunner& sql, const BlockWindow& window, const std::vector<WindowLeafRow>& leaves);
std::optional<BlockWindow> get(SqlRunner& sql, const std::string& block_hash);
std::vector<BlockWindow> newest(SqlRunner& sql, int limit);
std::vector<WindowLeafRow> leaves(SqlRunner& sql, const std::string& block_hash, int64_t offset, int64_t limit);
std::vector<WindowLeafRow> leaves_of(SqlRunner& sql, const std::string& block_hash, const std::string& address);
void set_commitment(SqlRunner& sql, const std::string& block_hash, const std::string& carrier_block,
                    const std::string& carrier_txid);

}  // namespace pool::store::window_queries
