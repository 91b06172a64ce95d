#pragma once
// The SQL behind Store::ledger_snapshot and the mapping of its rows, shared by the SQLite and
// PostgreSQL stores: each runs the queries in one read-only snapshot through a small row reader.
#include <cstdint>
#include <functional>
#include <string>

#include "store/store.h"

namespace pool::store {

/// One result row as a backend sees it.
class LedgerRow {
 public:
  virtual ~LedgerRow() = default;
  virtual std::string text(int col) const = 0;
  virtual int64_t i64(int col) const = 0;
  virtual bool is_null(int col) const = 0;
  virtual double f64(int col) const = 0;
};

/// Runs one query and calls `row` for each result row.
using LedgerQuery = std::function<void(const char* sql, const std::function<void(const LedgerRow&)>& row)>;

/// Runs the ledger queries through `query` and assembles the snapshot.
LedgerSnapshot read_ledger(const LedgerQuery& query);

}  // namespace pool::store

namespace pool::store::ledger_sql {

// hash, status, scheme, reward_sats, credited_sats, credit_rows, credited_accounts, height
inline constexpr const char* kBlocks =
    "SELECT b.hash, b.status, b.scheme, b.reward_sats, COALESCE(SUM(c.delta_sats), 0), COUNT(c.address),"
    " COUNT(DISTINCT c.address), b.height FROM blocks b"
    " LEFT JOIN balance_changes c ON c.reference = b.hash AND c.reason IN ('share_reward', 'fee')"
    " GROUP BY b.hash, b.status, b.scheme, b.reward_sats, b.height"
    " UNION ALL"
    " SELECT c.reference, '(no such block)', '', 0, SUM(c.delta_sats), COUNT(*), COUNT(DISTINCT c.address), -1"
    " FROM balance_changes c WHERE c.reason IN ('share_reward', 'fee')"
    " AND c.reference NOT IN (SELECT hash FROM blocks) GROUP BY c.reference";

// address, balance_sats, changes_sats, has_balance
inline constexpr const char* kAccounts =
    "SELECT address, SUM(bal), SUM(chg), SUM(has) FROM ("
    " SELECT address, sats AS bal, 0 AS chg, 1 AS has FROM balances"
    " UNION ALL SELECT address, 0, delta_sats, 0 FROM balance_changes) t GROUP BY address ORDER BY address";

// id, status, comment, txid, created_ms, item address (or NULL), item sats, fee (-1: none recorded)
inline constexpr const char* kPayments =
    "SELECT p.id, p.status, p.comment, p.txid, p.created_ms, i.address, i.sats, COALESCE(p.fee_sats, -1) FROM payments p"
    " LEFT JOIN payment_items i ON i.payment_id = p.id ORDER BY p.id";

// The committed PPLNS windows: block_hash, root, total_weight, fee_ppm, reward_sats, leaf_count,
// created_ms, commitment_block, commitment_txid
inline constexpr const char* kWindows =
    "SELECT block_hash, root, total_weight, fee_ppm, reward_sats, leaf_count, created_ms, commitment_block,"
    " commitment_txid FROM block_windows ORDER BY block_hash";

// block_hash, leaf_index, address, worker, first_share_id, last_share_id, shares, weight, hash
inline constexpr const char* kWindowLeaves =
    "SELECT block_hash, leaf_index, address, worker, first_share_id, last_share_id, shares, weight, hash"
    " FROM window_leaves ORDER BY block_hash, leaf_index";

// block hash, account, credited sats: the credits of every block that has a committed window
inline constexpr const char* kWindowCredits =
    "SELECT c.reference, c.address, SUM(c.delta_sats) FROM balance_changes c"
    " JOIN block_windows w ON w.block_hash = c.reference WHERE c.reason IN ('share_reward', 'fee')"
    " GROUP BY c.reference, c.address ORDER BY c.reference, c.address";

}  // namespace pool::store::ledger_sql
