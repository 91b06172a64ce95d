#include "store/window_queries.h"

namespace pool::store::window_queries {

namespace {

constexpr const char* kWindowColumns =
    "SELECT block_hash, root, total_weight, fee_ppm, reward_sats, leaf_count, created_ms, commitment_block,"
    " commitment_txid FROM block_windows";
constexpr const char* kLeafColumns =
    "SELECT leaf_index, address, worker, first_share_id, last_share_id, shares, weight, hash FROM window_leaves";

BlockWindow window_of(const LedgerRow& r) {
  return {r.text(0), r.text(1), r.text(2), r.i64(3), r.i64(4), r.i64(5), r.i64(6), r.text(7), r.text(8)};
}

WindowLeafRow leaf_of(const LedgerRow& r) {
  return {r.i64(0), r.text(1), r.text(2), r.i64(3), r.i64(4), r.i64(5), r.text(6), r.text(7)};
}

}  // namespace

std::vector<BlockRecord> needing_window(SqlRunner& sql, int limit) {
  std::vector<BlockRecord> out;
  sql.run(std::string("SELECT hash, height, reward_sats, finder, status, found_ms, network_difficulty, scheme,"
                      " confirmations, finder_address, share_hash, header_hex, submit_reason FROM blocks b ") +
              kNeedingWindow + " LIMIT $1",
          {static_cast<int64_t>(limit)}, [&](const LedgerRow& r) {
            out.push_back({r.text(0), r.i64(1), r.i64(2), r.text(3), r.text(4), r.i64(5), r.f64(6), r.text(7), r.i64(8),
                           r.text(9), r.text(10), r.text(11), r.text(12), {}});
          });
  return out;
}

bool insert(SqlRunner& sql, const BlockWindow& w, const std::vector<WindowLeafRow>& leaves) {
  const int64_t added = sql.run(
      "INSERT INTO block_windows (block_hash, root, total_weight, fee_ppm, reward_sats, leaf_count, created_ms)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (block_hash) DO NOTHING",
      {w.block_hash, w.root, w.total_weight, w.fee_ppm, w.reward_sats, static_cast<int64_t>(leaves.size()), w.created_ms});
  if (added != 1) return false;
  for (const auto& l : leaves) {
    sql.run("INSERT INTO window_leaves (block_hash, leaf_index, address, worker, first_share_id, last_share_id, shares,"
            " weight, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            {w.block_hash, l.index, l.address, l.worker, l.first_share_id, l.last_share_id, l.shares, l.weight, l.hash});
  }
  return true;
}

std::optional<BlockWindow> get(SqlRunner& sql, const std::string& block_hash) {
  std::optional<BlockWindow> out;
  sql.run(std::string(kWindowColumns) + " WHERE block_hash = $1", {block_hash},
          [&](const LedgerRow& r) { out = window_of(r); });
  return out;
}

std::vector<BlockWindow> newest(SqlRunner& sql, int limit) {
  std::vector<BlockWindow> out;
  sql.run(std::string(kWindowColumns) + " ORDER BY created_ms DESC, block_hash LIMIT $1", {static_cast<int64_t>(limit)},
          [&](const LedgerRow& r) { out.push_back(window_of(r)); });
  return out;
}

std::vector<WindowLeafRow> leaves(SqlRunner& sql, const std::string& block_hash, int64_t offset, int64_t limit) {
  std::vector<WindowLeafRow> out;
  sql.run(std::string(kLeafColumns) + " WHERE block_hash = $1 AND leaf_index >= $2 ORDER BY leaf_index LIMIT $3",
          {block_hash, offset, limit}, [&](const LedgerRow& r) { out.push_back(leaf_of(r)); });
  return out;
}

std::vector<WindowLeafRow> leaves_of(SqlRunner& sql, const std::string& block_hash, const std::string& address) {
  std::vector<WindowLeafRow> out;
  sql.run(std::string(kLeafColumns) + " WHERE block_hash = $1 AND address = $2 ORDER BY leaf_index", {block_hash, address},
          [&](const LedgerRow& r) { out.push_back(leaf_of(r)); });
  return out;
}

void set_commitment(SqlRunner& sql, const std::string& block_hash, const std::string& carrier_block,
                    const std::string& carrier_txid) {
  sql.run("UPDATE block_windows SET commitment_block = $1, commitment_txid = $2 WHERE block_hash = $3",
          {carrier_block, carrier_txid, block_hash});
}

}  // namespace pool::store::window_queries
