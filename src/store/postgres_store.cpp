#include "store/postgres_store.h"

#include <libpq-fe.h>

#include <atomic>
#include <mutex>
#include <unistd.h>
#include <unordered_map>

#include "store/ledger_queries.h"
#include "store/payment_queries.h"
#include "store/postgres_connection.h"
#include "store/sql_runner.h"
#include "store/credit_trail_queries.h"
#include "store/window_queries.h"
#include "store/migrations.h"

namespace pool::store {

namespace {

constexpr int64_t kLeaderLockKey = 0x626d702d6c656164;  // "bmp-lead"
constexpr int64_t kLeaseLockKey = 0x626d702d6c656173;   // "bmp-leas"

class PostgresStore : public Store {
 public:
  explicit PostgresStore(const std::string& url) : url_(url), db_(url) { migrate(); }

  /// A graceful close hands leadership over at once; a crashed leader's lock goes when its backend exits.
  ~PostgresStore() override {
    std::lock_guard lock(leader_mutex_);
    if (!leader_ || !leader_conn_) return;
    try {
      leader_conn_->run("SELECT pg_advisory_unlock($1)", {std::to_string(kLeaderLockKey)});
    } catch (const StoreError&) {
    }
  }

  std::string backend() const override { return "postgresql"; }

  std::vector<size_t> insert_shares(const std::vector<mining::AcceptedShare>& shares) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    constexpr size_t kChunk = 500;
    std::unordered_map<std::string, int> inserted;  // hash -> rows this batch stored with it
    for (size_t start = 0; start < shares.size(); start += kChunk) {
      std::string sql = "INSERT INTO shares (address, worker, difficulty, height, created_ms, is_block, hash) VALUES ";
      std::vector<std::string> params;
      for (size_t i = start; i < std::min(shares.size(), start + kChunk); ++i) {
        const auto& s = shares[i];
        const size_t n = params.size();
        sql += std::string(i == start ? "" : ",") + "($" + std::to_string(n + 1) + ",$" + std::to_string(n + 2) + ",$" +
               std::to_string(n + 3) + ",$" + std::to_string(n + 4) + ",$" + std::to_string(n + 5) + ",$" +
               std::to_string(n + 6) + ",$" + std::to_string(n + 7) + ")";
        char diff[40];
        std::snprintf(diff, sizeof diff, "%.17g", s.difficulty);
        params.insert(params.end(), {s.address, s.worker, diff, std::to_string(s.height),
                                     std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                        s.time.time_since_epoch())
                                                        .count()),
                                     s.is_block ? "1" : "0", s.hash.hex()});
      }
      // A replayed share (or a retried batch whose COMMIT reply was lost) inserts nothing.
      const PgResult r = db_.run(sql + " ON CONFLICT (hash) DO NOTHING RETURNING hash", params);
      for (int i = 0; i < r.rows(); ++i) ++inserted[r.text(i, 0)];
    }
    tx.commit();
    std::vector<size_t> duplicates;
    for (size_t i = 0; i < shares.size(); ++i) {
      auto it = inserted.find(shares[i].hash.hex());
      if (it == inserted.end() || it->second == 0) {
        duplicates.push_back(i);
      } else {
        --it->second;
      }
    }
    return duplicates;
  }

  uint64_t count_shares() override {
    std::lock_guard lock(mutex_);
    return static_cast<uint64_t>(db_.run("SELECT COUNT(*) FROM shares").i64(0, 0));
  }

  void walk_window(int64_t until_ms, double window, int passes,
                   const std::function<void(int, const WindowShare&)>& visit) override {
    std::lock_guard lock(reader_mutex_);
    try {
      if (!reader_ || !reader_->healthy()) reader_ = std::make_unique<PgConnection>(url_);
      reader_->run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");  // one snapshot for every pass
      for (int pass = 0; pass < passes; ++pass) {
        double sum = 0;
        int64_t before_id = INT64_MAX;
        // Page backwards by id so a huge share table is never read at once.
        while (sum < window) {
          const PgResult r = reader_->run(
              "SELECT id, address, difficulty, worker FROM shares WHERE created_ms <= $1 AND id < $2 ORDER BY id DESC LIMIT 5000",
              {std::to_string(until_ms), std::to_string(before_id)});
          for (int i = 0; i < r.rows() && sum < window; ++i) {
            const WindowShare share{r.i64(i, 0), PQgetvalue(r.r, i, 1), r.f64(i, 2), PQgetvalue(r.r, i, 3)};
            before_id = share.id;
            sum += share.difficulty;
            visit(pass, share);
          }
          if (r.rows() < 5000) break;
        }
      }
      reader_->run("COMMIT");
    } catch (...) {
      reader_.reset();  // closing the connection ends its transaction
      throw;
    }
  }

  uint64_t delete_shares(int64_t before_id, int64_t older_than_ms, int limit) override {
    std::lock_guard lock(mutex_);
    return static_cast<uint64_t>(
        db_.run("DELETE FROM shares WHERE id IN (SELECT id FROM shares WHERE id < $1 AND created_ms < $2 ORDER BY id "
                "LIMIT $3)",
                {std::to_string(before_id), std::to_string(older_than_ms), std::to_string(limit)})
            .affected());
  }

  bool insert_block(const BlockRecord& b) override {
    std::lock_guard lock(mutex_);
    char diff[40];
    std::snprintf(diff, sizeof diff, "%.17g", b.network_difficulty);
    return db_.run("INSERT INTO blocks (hash, height, reward_sats, finder, status, found_ms, network_difficulty, scheme,"
                   " confirmations, finder_address, share_hash, header_hex, submit_reason, block_hex)"
                   " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) ON CONFLICT (hash) DO NOTHING",
                   {b.hash, std::to_string(b.height), std::to_string(b.reward_sats), b.finder, b.status,
                    std::to_string(b.found_ms), diff, b.scheme, std::to_string(b.confirmations), b.finder_address,
                    b.share_hash, b.header_hex, b.submit_reason, b.block_hex})
               .affected() == 1;
  }

  std::vector<BlockRecord> blocks(const std::optional<std::string>& status, int limit) override {
    std::lock_guard lock(mutex_);
    const std::string sql = std::string("SELECT hash, height, reward_sats, finder, status, found_ms, network_difficulty,"
                                        " scheme, confirmations, finder_address, share_hash, header_hex, submit_reason"
                                        " FROM blocks") +
                            (status ? " WHERE status = $2" : "") + " ORDER BY height DESC, found_ms DESC LIMIT $1";
    std::vector<std::string> params = {std::to_string(limit)};
    if (status) params.push_back(*status);
    const PgResult r = db_.run(sql, params);
    std::vector<BlockRecord> out;
    for (int i = 0; i < r.rows(); ++i) {
      out.push_back({r.text(i, 0), r.i64(i, 1), r.i64(i, 2), r.text(i, 3), r.text(i, 4), r.i64(i, 5), r.f64(i, 6),
                     r.text(i, 7), r.i64(i, 8), r.text(i, 9), r.text(i, 10), r.text(i, 11), r.text(i, 12), {}});
    }
    return out;
  }

  std::vector<BlockRecord> blocks_needing_window(int limit) override {
    std::lock_guard lock(mutex_);
    return window_queries::needing_window(sql_, limit);
  }

  std::optional<std::string> block_hex(const std::string& hash) override {
    std::lock_guard lock(mutex_);
    const PgResult r = db_.run("SELECT block_hex FROM blocks WHERE hash = $1", {hash});
    if (r.rows() == 0) return std::nullopt;
    return r.text(0, 0);
  }

  bool set_block_submitted(const std::string& hash, const std::string& status, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    return db_.run("UPDATE blocks SET status = $1, submit_reason = $2 WHERE hash = $3 AND status IN ('found', 'submitted')",
                   {status, reason, hash})
               .affected() == 1;
  }

  void set_confirmations(const std::string& hash, int64_t confirmations) override {
    std::lock_guard lock(mutex_);
    db_.run("UPDATE blocks SET confirmations = $1 WHERE hash = $2", {std::to_string(confirmations), hash});
  }

  bool credit_block(const std::string& hash, const std::map<std::string, int64_t>& credits, int64_t pool_sats) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    if (db_.run("UPDATE blocks SET status = 'confirmed' WHERE hash = $1 AND status = 'pending'", {hash}).affected() != 1) {
      return false;
    }
    for (const auto& [address, sats] : credits) payment_queries::change_balance(sql_, address, sats, "share_reward", hash);
    if (pool_sats != 0) payment_queries::change_balance(sql_, kPoolAccount, pool_sats, "fee", hash);
    tx.commit();
    return true;
  }

  bool orphan_block(const std::string& hash) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    const bool changed =
        db_.run("UPDATE blocks SET status = 'orphaned' WHERE hash = $1 AND status = 'pending'", {hash}).affected() == 1;
    tx.commit();
    return changed;
  }

  std::map<std::string, int64_t> balances() override {
    std::lock_guard lock(mutex_);
    return payment_queries::balances(sql_);
  }

  std::map<std::string, int64_t> credits_from_blocks_above(int64_t height) override {
    std::lock_guard lock(mutex_);
    return payment_queries::credits_from_blocks_above(sql_, height);
  }

  std::vector<BalanceChange> balance_changes(const std::string& address, int limit) override {
    std::lock_guard lock(mutex_);
    return payment_queries::balance_changes(sql_, address, limit);
  }

  int64_t create_payment(const std::map<std::string, int64_t>& amounts, const std::string& comment_prefix) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    const int64_t id = db_.run("INSERT INTO payments (status, comment, created_ms, updated_ms) VALUES ('pending', '', $1, $1)"
                               " RETURNING id",
                               {std::to_string(now_ms())})
                           .i64(0, 0);
    payment_queries::fill_payment(sql_, id, amounts, comment_prefix, true);  // balances read FOR UPDATE
    tx.commit();
    return id;
  }

  void complete_payment(int64_t id, const std::string& txid, int64_t fee_sats) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    payment_queries::complete(sql_, id, txid, fee_sats);
    tx.commit();
  }

  void release_payment(int64_t id) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    if (payment_queries::release(sql_, id)) tx.commit();
  }

  bool store_block_window(const BlockWindow& window, const std::vector<WindowLeafRow>& leaves) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    if (!window_queries::insert(sql_, window, leaves)) return false;
    tx.commit();
    return true;
  }
  std::optional<BlockWindow> block_window(const std::string& block_hash) override {
    std::lock_guard lock(mutex_);
    return window_queries::get(sql_, block_hash);
  }
  std::vector<BlockWindow> block_windows(int limit) override {
    std::lock_guard lock(mutex_);
    return window_queries::newest(sql_, limit);
  }
  std::vector<WindowLeafRow> window_leaves(const std::string& block_hash, int64_t offset, int64_t limit) override {
    std::lock_guard lock(reader_mutex_);  // the reader's connection: proof requests never hold up share writes
    if (!reader_ || !reader_->healthy()) reader_ = std::make_unique<PgConnection>(url_);
    PgRunner reader(*reader_);
    return window_queries::leaves(reader, block_hash, offset, limit);
  }
  std::vector<WindowLeafRow> window_leaves_of(const std::string& block_hash, const std::string& address) override {
    std::lock_guard lock(reader_mutex_);  // the reader's connection: proof requests never hold up share writes
    if (!reader_ || !reader_->healthy()) reader_ = std::make_unique<PgConnection>(url_);
    PgRunner reader(*reader_);
    return window_queries::leaves_of(reader, block_hash, address);
  }
  std::optional<BlockCreditTrail> block_credit_trail(const std::string& block_hash, const std::string& address,
                                                     int payments_limit) override {
    std::lock_guard lock(mutex_);
    PgRunner sql(db_);
    return credit_trail_queries::get(sql, block_hash, address, payments_limit);
  }
  void set_window_commitment(const std::string& block_hash, const std::string& carrier_block,
                             const std::string& carrier_txid) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    window_queries::set_commitment(sql_, block_hash, carrier_block, carrier_txid);
    tx.commit();
  }

  std::vector<PaymentRecord> payments(const std::optional<std::string>& status, int limit) override {
    std::lock_guard lock(mutex_);
    return payment_queries::list(sql_, status, limit);
  }

  std::vector<FollowedPayment> payments_to_follow(int64_t after_id, int limit) override {
    std::lock_guard lock(mutex_);
    return payment_queries::to_follow(sql_, after_id, limit);
  }

  void set_payment_trouble(int64_t id, const std::string& trouble, int64_t since_ms) override {
    std::lock_guard lock(mutex_);
    payment_queries::set_trouble(sql_, id, trouble, since_ms);
  }

  void set_payment_final(int64_t id, int64_t confirmed_ms) override {
    std::lock_guard lock(mutex_);
    payment_queries::set_final(sql_, id, confirmed_ms);
  }

  int64_t count_payments_in_trouble() override {
    std::lock_guard lock(mutex_);
    return payment_queries::count_in_trouble(sql_);
  }

  bool repoint_payment(int64_t id, const std::string& from_txid, const std::string& to_txid) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    if (!payment_queries::repoint(sql_, id, from_txid, to_txid)) return false;
    tx.commit();
    return true;
  }

  bool reverse_payment(int64_t id) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    fence();
    if (!payment_queries::reverse(sql_, id)) return false;
    tx.commit();
    return true;
  }

  std::string set_setting_if_absent(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    db_.run("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", {key, value});
    const PgResult r = db_.run("SELECT value FROM settings WHERE key = $1", {key});
    return r.rows() ? r.text(0, 0) : value;
  }

  std::optional<std::string> setting(const std::string& key) override {
    std::lock_guard lock(mutex_);
    const PgResult r = db_.run("SELECT value FROM settings WHERE key = $1", {key});
    if (r.rows() == 0) return std::nullopt;
    return r.text(0, 0);
  }

  void set_setting(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    db_.run("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            {key, value});
  }

  LedgerSnapshot ledger_snapshot() override {
    std::lock_guard lock(mutex_);
    db_.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");  // one snapshot across the queries
    try {
      auto snapshot = read_ledger([&](const char* sql, const std::function<void(const LedgerRow&)>& each) {
        sql_.run(sql, {}, each);
      });
      db_.run("COMMIT");
      return snapshot;
    } catch (...) {
      try {
        db_.run("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }

  int64_t leadership_epoch() const override { return epoch_; }
  void claim_exclusive_use() override {}  // instances share a PostgreSQL database by design

  void release_leadership() override {
    std::lock_guard lock(leader_mutex_);
    if (!leader_) return;
    leader_ = false;
    try {
      leader_conn_->run("SELECT pg_advisory_unlock($1)", {std::to_string(kLeaderLockKey)});
    } catch (const StoreError&) {
      leader_conn_.reset();  // a dead session holds nothing
    }
  }

  int lease_extranonce_prefix(const std::string& instance, int64_t ttl_ms) override {
    std::lock_guard lock(mutex_);
    Tx tx(db_);
    db_.run("SELECT pg_advisory_xact_lock($1)", {std::to_string(kLeaseLockKey)});  // one leaser at a time
    const int64_t now = server_now_ms();
    const PgResult r = db_.run("SELECT prefix, instance, heartbeat_ms FROM extranonce_leases");
    std::vector<std::pair<std::string, int64_t>> held(256, {std::string(), INT64_MIN});
    for (int i = 0; i < r.rows(); ++i) {
      const int64_t prefix = r.i64(i, 0);
      if (prefix < 0 || prefix > 255) continue;
      if (r.text(i, 1) == instance) {
        db_.run("UPDATE extranonce_leases SET heartbeat_ms = $1 WHERE prefix = $2", {std::to_string(now), std::to_string(prefix)});
        tx.commit();
        return static_cast<int>(prefix);
      }
      held[static_cast<size_t>(prefix)] = {r.text(i, 1), r.i64(i, 2)};
    }
    for (int prefix = 0; prefix < 256; ++prefix) {
      const auto& [owner, heartbeat] = held[static_cast<size_t>(prefix)];
      if (!owner.empty() && heartbeat > now - ttl_ms) continue;  // a live instance's
      db_.run("INSERT INTO extranonce_leases (prefix, instance, heartbeat_ms) VALUES ($1, $2, $3) ON CONFLICT (prefix)"
              " DO UPDATE SET instance = EXCLUDED.instance, heartbeat_ms = EXCLUDED.heartbeat_ms",
              {std::to_string(prefix), instance, std::to_string(now)});
      tx.commit();
      return prefix;
    }
    throw StoreError("all 256 extranonce prefixes are leased by live pool instances");
  }

  bool renew_extranonce_prefix(const std::string& instance, int prefix) override {
    std::lock_guard lock(mutex_);
    return db_.run("UPDATE extranonce_leases SET heartbeat_ms = (extract(epoch from clock_timestamp()) * 1000)::bigint"
                   " WHERE prefix = $1 AND instance = $2",
                   {std::to_string(prefix), instance})
               .affected() == 1;
  }

  void release_extranonce_prefix(const std::string& instance, int prefix) override {
    std::lock_guard lock(mutex_);
    db_.run("DELETE FROM extranonce_leases WHERE prefix = $1 AND instance = $2", {std::to_string(prefix), instance});
  }

  bool try_acquire_leadership() override {
    std::lock_guard lock(leader_mutex_);
    try {
      if (leader_ && leader_conn_) {
        // PQstatus only notices a dead session after I/O: ask the server whether this session still holds the lock.
        const PgResult held = leader_conn_->run(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
            "AND ((classid::bigint << 32) | objid::bigint) = $1",
            {std::to_string(kLeaderLockKey)});
        if (held.text(0, 0) != "0") return true;
      }
      leader_ = false;
      if (!leader_conn_ || !leader_conn_->healthy()) leader_conn_ = std::make_unique<PgConnection>(url_);
      leader_ = leader_conn_->run("SELECT pg_try_advisory_lock($1)", {std::to_string(kLeaderLockKey)}).text(0, 0) == "t";
      if (leader_) {
        // A new term: take the next epoch. The UPDATE waits for any money transaction of the old
        // leader that still holds the epoch row, and every later one of the old leader is fenced.
        std::lock_guard db_lock(mutex_);
        epoch_ = db_.run("UPDATE leadership SET epoch = epoch + 1, holder = $1, since_ms = $2 WHERE id = 1 RETURNING epoch",
                         {holder_name(), std::to_string(now_ms())})
                     .i64(0, 0);
      }
    } catch (const StoreError&) {
      leader_ = false;
      leader_conn_.reset();
    }
    return leader_;
  }

 private:
  struct Tx {
    explicit Tx(PgConnection& c) : conn(c) { conn.run("BEGIN"); }
    ~Tx() {
      if (!done) {
        try {
          conn.run("ROLLBACK");
        } catch (const StoreError&) {
        }
      }
    }
    void commit() {
      conn.run("COMMIT");
      done = true;
    }
    PgConnection& conn;
    bool done = false;
  };

  // Inside a money transaction: a store that has led may write only while its epoch is current.
  // FOR SHARE makes a new leader's epoch increment wait until this transaction ends.
  void fence() {
    if (epoch_ == 0) return;
    const int64_t current = db_.run("SELECT epoch FROM leadership WHERE id = 1 FOR SHARE").i64(0, 0);
    if (current != epoch_) {
      throw FencedError("leadership moved to epoch " + std::to_string(current) + " (this instance held " +
                        std::to_string(epoch_) + "): money writes refused");
    }
  }

  int64_t server_now_ms() { return db_.run("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint").i64(0, 0); }

  void migrate() {
    std::lock_guard lock(mutex_);
    // Instances starting together must not migrate twice: serialize on a transaction lock.
    Tx tx(db_);
    db_.run("SELECT pg_advisory_xact_lock(7230419)");
    db_.run("CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const PgResult r = db_.run("SELECT value FROM settings WHERE key = 'schema_version'");
    const int64_t current = r.rows() ? std::stoll(r.text(0, 0)) : 0;
    const auto steps = migrations("postgresql");
    check_schema_version(current, steps.size(), "PostgreSQL database");
    for (int64_t v = current; v < static_cast<int64_t>(steps.size()); ++v) {
      db_.exec_script(steps[static_cast<size_t>(v)]);
      db_.run("INSERT INTO settings (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
              {std::to_string(v + 1)});
    }
    tx.commit();
  }

  std::string url_;
  std::mutex mutex_;
  PgConnection db_;
  PgRunner sql_{db_};  // shared queries on db_ (under mutex_)
  std::mutex reader_mutex_;  // the window reader's own connection
  std::unique_ptr<PgConnection> reader_;
  std::mutex leader_mutex_;
  std::unique_ptr<PgConnection> leader_conn_;
  bool leader_ = false;
  std::atomic<int64_t> epoch_{0};  // the leadership epoch this store took (0: never led)
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& url) { return std::make_unique<PostgresStore>(url); }

}  // namespace pool::store
