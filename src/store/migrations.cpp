#include "store/migrations.h"

#include "store/store.h"

namespace pool::store {

std::vector<std::string> migrations(const std::string& backend) {
  const std::string id = backend == "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  return {
      // 1: the money path.
      "CREATE TABLE shares (id " + id +
          ", address TEXT NOT NULL, worker TEXT NOT NULL, difficulty DOUBLE PRECISION NOT NULL,"
          " height BIGINT NOT NULL, created_ms BIGINT NOT NULL, is_block INTEGER NOT NULL, hash TEXT NOT NULL);"
          "CREATE INDEX shares_created ON shares (created_ms);"
          "CREATE TABLE blocks (hash TEXT PRIMARY KEY, height BIGINT NOT NULL, reward_sats BIGINT NOT NULL,"
          " finder TEXT NOT NULL, status TEXT NOT NULL, found_ms BIGINT NOT NULL,"
          " network_difficulty DOUBLE PRECISION NOT NULL, scheme TEXT NOT NULL, confirmations BIGINT NOT NULL DEFAULT 0);"
          "CREATE INDEX blocks_status ON blocks (status);"
          "CREATE TABLE balances (address TEXT PRIMARY KEY, sats BIGINT NOT NULL);"
          "CREATE TABLE balance_changes (id " + id +
          ", address TEXT NOT NULL, delta_sats BIGINT NOT NULL, reason TEXT NOT NULL,"
          " reference TEXT NOT NULL, created_ms BIGINT NOT NULL);"
          "CREATE INDEX balance_changes_address ON balance_changes (address);"
          "CREATE TABLE payments (id " + id +
          ", status TEXT NOT NULL, comment TEXT NOT NULL, txid TEXT NOT NULL DEFAULT '',"
          " created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL);"
          "CREATE TABLE payment_items (payment_id BIGINT NOT NULL, address TEXT NOT NULL, sats BIGINT NOT NULL,"
          " PRIMARY KEY (payment_id, address));",
      // 2: payouts hold back credits from blocks the wallet cannot spend yet (by block height).
      "CREATE INDEX IF NOT EXISTS balance_changes_reference ON balance_changes (reference);"
      "CREATE INDEX IF NOT EXISTS blocks_height ON blocks (height);",
      // 3: fencing: every new accounting leader takes the next epoch; money writes check it.
      "CREATE TABLE IF NOT EXISTS leadership (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL, holder TEXT NOT NULL,"
      " since_ms BIGINT NOT NULL);"
      "INSERT INTO leadership (id, epoch, holder, since_ms) VALUES (1, 0, '', 0) ON CONFLICT (id) DO NOTHING;",
      // 4: a share is stored once. Databases that were already fed a replayed share keep its
      // first row (the lowest id) and lose the copies, then the header hash becomes a unique key.
      // Extranonce prefix leases keep several instances on one database from handing out the
      // same extranonce1 (store::ExtranonceLease).
      std::string(backend == "sqlite"
                      ? "DELETE FROM shares WHERE id NOT IN (SELECT MIN(id) FROM shares GROUP BY hash);"
                      : "DELETE FROM shares a USING shares b WHERE a.hash = b.hash AND a.id > b.id;") +
          "CREATE UNIQUE INDEX IF NOT EXISTS shares_hash ON shares (hash);"
          "CREATE TABLE IF NOT EXISTS extranonce_leases (prefix INTEGER PRIMARY KEY, instance TEXT NOT NULL,"
          " heartbeat_ms BIGINT NOT NULL);",
      // 5: a found block is written before it goes to the node, whole, so it can be submitted
      // again after a crash; who found it and what the node answered.
      // (SQLite has no ADD COLUMN IF NOT EXISTS: sqlite_store emulates it.)
      "ALTER TABLE blocks ADD COLUMN IF NOT EXISTS finder_address TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE blocks ADD COLUMN IF NOT EXISTS share_hash TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE blocks ADD COLUMN IF NOT EXISTS header_hex TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE blocks ADD COLUMN IF NOT EXISTS submit_reason TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE blocks ADD COLUMN IF NOT EXISTS block_hex TEXT NOT NULL DEFAULT '';",
      // 6: the network fee of a sent payout, taken from its recipients' amounts (sendmany's
      // subtractfeefrom). NULL: not sent yet, or sent before the fee was on the books (the pool's
      // wallet paid it then).
      "ALTER TABLE payments ADD COLUMN IF NOT EXISTS fee_sats BIGINT;",
      // 7: a sent payment is followed until its transaction is final (confirmed_ms, 0 until then);
      // its trouble (evicted, conflicted, abandoned) is kept so an alert is raised once per change.
      "ALTER TABLE payments ADD COLUMN IF NOT EXISTS confirmed_ms BIGINT NOT NULL DEFAULT 0;"
      "ALTER TABLE payments ADD COLUMN IF NOT EXISTS trouble TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE payments ADD COLUMN IF NOT EXISTS trouble_ms BIGINT NOT NULL DEFAULT 0;"
      "CREATE INDEX IF NOT EXISTS payments_status ON payments (status, confirmed_ms);",
      // 8: each found block's PPLNS window, committed when the block is found (its Merkle root
      // goes on-chain in a later coinbase); crediting uses exactly these leaves.
      "CREATE TABLE IF NOT EXISTS block_windows (block_hash TEXT PRIMARY KEY, root TEXT NOT NULL,"
      " total_weight TEXT NOT NULL, fee_ppm BIGINT NOT NULL, reward_sats BIGINT NOT NULL, leaf_count BIGINT NOT NULL,"
      " created_ms BIGINT NOT NULL, commitment_block TEXT NOT NULL DEFAULT '', commitment_txid TEXT NOT NULL DEFAULT '');"
      "CREATE TABLE IF NOT EXISTS window_leaves (block_hash TEXT NOT NULL, leaf_index BIGINT NOT NULL,"
      " address TEXT NOT NULL, worker TEXT NOT NULL, first_share_id BIGINT NOT NULL, last_share_id BIGINT NOT NULL,"
      " shares BIGINT NOT NULL, weight TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (block_hash, leaf_index));"
      "CREATE INDEX IF NOT EXISTS window_leaves_address ON window_leaves (block_hash, address);",
  };
}

void check_schema_version(int64_t database_version, size_t known_steps, const std::string& where) {
  if (database_version > static_cast<int64_t>(known_steps)) {
    throw StoreError(where + ": the database schema is version " + std::to_string(database_version) +
                     ", newer than this poold understands (" + std::to_string(known_steps) +
                     "); it was upgraded by a newer poold. Run that version (or newer), never an older one.");
  }
}

}  // namespace pool::store
