#include "store/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "store/ledger_queries.h"
#include "store/payment_queries.h"
#include "store/sql_runner.h"
#include "store/credit_trail_queries.h"
#include "store/sqlite_statement.h"
#include "store/window_queries.h"
#include "store/migrations.h"

namespace pool::store {

namespace {

class SqliteStore : public Store {
 public:
  explicit SqliteStore(const std::string& path)
      : path_(path), db_(open_database(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "")) {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
    migrate();
  }
  ~SqliteStore() override {
    sqlite3_close(reader_);
    sqlite3_close(db_);
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the exclusive lock
  }

  std::string backend() const override { return "sqlite"; }

  std::vector<size_t> insert_shares(const std::vector<mining::AcceptedShare>& shares) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
    // Only the hash conflict is ignored (INSERT OR IGNORE would also swallow refused rows).
    Stmt s(db_, "INSERT INTO shares (address, worker, difficulty, height, created_ms, is_block, hash) VALUES (?,?,?,?,?,?,?)"
                " ON CONFLICT (hash) DO NOTHING");
    std::vector<size_t> duplicates;
    for (size_t i = 0; i < shares.size(); ++i) {
      const auto& share = shares[i];
      s.bind(1, share.address).bind(2, share.worker).bind(3, share.difficulty).bind(4, share.height);
      s.bind(5, static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(share.time.time_since_epoch()).count()));
      s.bind(6, static_cast<int64_t>(share.is_block ? 1 : 0)).bind(7, share.hash.hex());
      s.step();
      if (sqlite3_changes(db_) == 0) duplicates.push_back(i);
      s.reset();
    }
    tx.commit();
    return duplicates;
  }

  uint64_t count_shares() override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT COUNT(*) FROM shares");
    s.step();
    return static_cast<uint64_t>(s.i64(0));
  }

  void walk_window(int64_t until_ms, double window, int passes,
                   const std::function<void(int, const WindowShare&)>& visit) override {
    std::lock_guard lock(reader_mutex_);
    if (!reader_) reader_ = open_database(path_, SQLITE_OPEN_READONLY, " for reading");
    // WAL: this read transaction is one snapshot and does not block the writer connection.
    Stmt(reader_, "BEGIN").step();
    try {
      Stmt s(reader_, "SELECT id, address, difficulty, worker FROM shares WHERE created_ms <= ? ORDER BY id DESC");
      for (int pass = 0; pass < passes; ++pass) {
        s.reset();
        s.bind(1, until_ms);
        double sum = 0;
        while (sum < window && s.step()) {
          const WindowShare share{s.i64(0), s.text_view(1), s.f64(2), s.text_view(3)};
          sum += share.difficulty;
          visit(pass, share);
        }
      }
    } catch (...) {
      Stmt(reader_, "ROLLBACK").step();
      throw;
    }
    Stmt(reader_, "COMMIT").step();
  }

  uint64_t delete_shares(int64_t before_id, int64_t older_than_ms, int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "DELETE FROM shares WHERE id IN (SELECT id FROM shares WHERE id < ? AND created_ms < ? ORDER BY id LIMIT ?)");
    s.bind(1, before_id).bind(2, older_than_ms).bind(3, static_cast<int64_t>(limit));
    s.step();
    return static_cast<uint64_t>(sqlite3_changes(db_));
  }

  bool insert_block(const BlockRecord& b) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "INSERT OR IGNORE INTO blocks (hash, height, reward_sats, finder, status, found_ms, network_difficulty, scheme,"
           " confirmations, finder_address, share_hash, header_hex, submit_reason, block_hex)"
           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, b.hash).bind(2, b.height).bind(3, b.reward_sats).bind(4, b.finder).bind(5, b.status);
    s.bind(6, b.found_ms).bind(7, b.network_difficulty).bind(8, b.scheme).bind(9, b.confirmations);
    s.bind(10, b.finder_address).bind(11, b.share_hash).bind(12, b.header_hex).bind(13, b.submit_reason);
    s.bind(14, b.block_hex);
    s.step();
    return sqlite3_changes(db_) == 1;
  }

  std::vector<BlockRecord> blocks(const std::optional<std::string>& status, int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, std::string("SELECT hash, height, reward_sats, finder, status, found_ms, network_difficulty, scheme,"
                            " confirmations, finder_address, share_hash, header_hex, submit_reason FROM blocks") +
                    (status ? " WHERE status = ?" : "") + " ORDER BY height DESC, found_ms DESC LIMIT ?");
    int i = 1;
    if (status) s.bind(i++, *status);
    s.bind(i, static_cast<int64_t>(limit));
    std::vector<BlockRecord> out;
    while (s.step()) {
      out.push_back({s.text(0), s.i64(1), s.i64(2), s.text(3), s.text(4), s.i64(5), s.f64(6), s.text(7), s.i64(8),
                     s.text(9), s.text(10), s.text(11), s.text(12), {}});
    }
    return out;
  }

  std::vector<BlockRecord> blocks_needing_window(int limit) override {
    std::lock_guard lock(mutex_);
    return window_queries::needing_window(sql_, limit);
  }

  std::optional<std::string> block_hex(const std::string& hash) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT block_hex FROM blocks WHERE hash = ?");
    s.bind(1, hash);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

  bool set_block_submitted(const std::string& hash, const std::string& status, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "UPDATE blocks SET status = ?, submit_reason = ? WHERE hash = ? AND status IN ('found', 'submitted')");
    s.bind(1, status).bind(2, reason).bind(3, hash);
    s.step();
    return sqlite3_changes(db_) == 1;
  }

  void set_confirmations(const std::string& hash, int64_t confirmations) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "UPDATE blocks SET confirmations = ? WHERE hash = ?");
    s.bind(1, confirmations).bind(2, hash);
    s.step();
  }

  bool credit_block(const std::string& hash, const std::map<std::string, int64_t>& credits, int64_t pool_sats) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
    fence();
    Stmt mark(db_, "UPDATE blocks SET status = 'confirmed' WHERE hash = ? AND status = 'pending'");
    mark.bind(1, hash);
    mark.step();
    if (sqlite3_changes(db_) != 1) return false;
    for (const auto& [address, sats] : credits) payment_queries::change_balance(sql_, address, sats, "share_reward", hash);
    if (pool_sats != 0) payment_queries::change_balance(sql_, kPoolAccount, pool_sats, "fee", hash);
    tx.commit();
    return true;
  }

  bool orphan_block(const std::string& hash) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
    fence();
    Stmt s(db_, "UPDATE blocks SET status = 'orphaned' WHERE hash = ? AND status = 'pending'");
    s.bind(1, hash);
    s.step();
    const bool changed = sqlite3_changes(db_) == 1;
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
    Tx tx(*this);
    fence();
    const int64_t now = now_ms();
    Stmt ins(db_, "INSERT INTO payments (status, comment, created_ms, updated_ms) VALUES ('pending', '', ?, ?)");
    ins.bind(1, now).bind(2, now);
    ins.step();
    const int64_t id = sqlite3_last_insert_rowid(db_);
    payment_queries::fill_payment(sql_, id, amounts, comment_prefix, false);  // BEGIN IMMEDIATE holds the write lock
    tx.commit();
    return id;
  }

  void complete_payment(int64_t id, const std::string& txid, int64_t fee_sats) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
    fence();
    payment_queries::complete(sql_, id, txid, fee_sats);
    tx.commit();
  }

  void release_payment(int64_t id) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
    fence();
    if (payment_queries::release(sql_, id)) tx.commit();
  }

  bool store_block_window(const BlockWindow& window, const std::vector<WindowLeafRow>& leaves) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
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
    if (!reader_) reader_ = open_database(path_, SQLITE_OPEN_READONLY, " for reading");
    SqliteRunner reader(reader_);
    return window_queries::leaves(reader, block_hash, offset, limit);
  }
  std::vector<WindowLeafRow> window_leaves_of(const std::string& block_hash, const std::string& address) override {
    std::lock_guard lock(reader_mutex_);  // the reader's connection: proof requests never hold up share writes
    if (!reader_) reader_ = open_database(path_, SQLITE_OPEN_READONLY, " for reading");
    SqliteRunner reader(reader_);
    return window_queries::leaves_of(reader, block_hash, address);
  }
  std::optional<BlockCreditTrail> block_credit_trail(const std::string& block_hash, const std::string& address,
                                                     int payments_limit) override {
    std::lock_guard lock(mutex_);
    SqliteRunner sql(db_);
    return credit_trail_queries::get(sql, block_hash, address, payments_limit);
  }
  void set_window_commitment(const std::string& block_hash, const std::string& carrier_block,
                             const std::string& carrier_txid) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
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

  bool repoint_payment(int64_t id, const std::string& from_txid, const std::string& to_txid) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
    fence();
    if (!payment_queries::repoint(sql_, id, from_txid, to_txid)) return false;
    tx.commit();
    return true;
  }

  int64_t count_payments_in_trouble() override {
    std::lock_guard lock(mutex_);
    return payment_queries::count_in_trouble(sql_);
  }

  bool reverse_payment(int64_t id) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);
    fence();
    if (!payment_queries::reverse(sql_, id)) return false;
    tx.commit();
    return true;
  }

  std::string set_setting_if_absent(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING");
    s.bind(1, key).bind(2, value);
    s.step();
    return setting_locked(key).value_or(value);
  }

  std::optional<std::string> setting(const std::string& key) override {
    std::lock_guard lock(mutex_);
    return setting_locked(key);
  }

  void set_setting(const std::string& key, const std::string& value) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    s.bind(1, key).bind(2, value);
    s.step();
  }

  bool try_acquire_leadership() override {
    // One instance per file (see claim_exclusive_use): it leads from its first call on.
    std::lock_guard lock(mutex_);
    if (epoch_ == 0) {
      Tx tx(*this);
      exec("UPDATE leadership SET epoch = epoch + 1, holder = 'sqlite', since_ms = " + std::to_string(now_ms()) +
           " WHERE id = 1");
      Stmt s(db_, "SELECT epoch FROM leadership WHERE id = 1");
      s.step();
      epoch_ = s.i64(0);
      tx.commit();
    }
    return true;
  }
  int64_t leadership_epoch() const override { return epoch_; }
  void release_leadership() override {}  // the only instance on its file

  void claim_exclusive_use() override {
    std::lock_guard lock(mutex_);
    if (lock_fd_ < 0) lock_fd_ = lock_database_file(path_);
  }

  LedgerSnapshot ledger_snapshot() override {
    std::lock_guard lock(mutex_);
    exec("BEGIN");  // one read snapshot (WAL) across the queries
    try {
      auto snapshot = read_ledger([&](const char* sql, const std::function<void(const LedgerRow&)>& each) {
        sql_.run(sql, {}, each);
      });
      exec("COMMIT");
      return snapshot;
    } catch (...) {
      exec("ROLLBACK");
      throw;
    }
  }

  int lease_extranonce_prefix(const std::string& instance, int64_t ttl_ms) override {
    std::lock_guard lock(mutex_);
    Tx tx(*this);  // BEGIN IMMEDIATE: one leaser at a time
    const int64_t now = now_ms();
    std::vector<std::pair<std::string, int64_t>> held(256, {std::string(), INT64_MIN});
    {
      Stmt r(db_, "SELECT prefix, instance, heartbeat_ms FROM extranonce_leases");
      while (r.step()) {
        const int64_t prefix = r.i64(0);
        if (prefix < 0 || prefix > 255) continue;
        held[static_cast<size_t>(prefix)] = {r.text(1), r.i64(2)};
      }
    }
    int chosen = -1;
    for (int prefix = 0; prefix < 256 && chosen < 0; ++prefix) {
      if (held[static_cast<size_t>(prefix)].first == instance) chosen = prefix;
    }
    for (int prefix = 0; prefix < 256 && chosen < 0; ++prefix) {
      const auto& [owner, heartbeat] = held[static_cast<size_t>(prefix)];
      if (owner.empty() || heartbeat <= now - ttl_ms) chosen = prefix;  // free, or its instance died
    }
    if (chosen < 0) throw StoreError("all 256 extranonce prefixes are leased by live pool instances");
    Stmt up(db_, "INSERT INTO extranonce_leases (prefix, instance, heartbeat_ms) VALUES (?, ?, ?) ON CONFLICT (prefix)"
                 " DO UPDATE SET instance = excluded.instance, heartbeat_ms = excluded.heartbeat_ms");
    up.bind(1, static_cast<int64_t>(chosen)).bind(2, instance).bind(3, now);
    up.step();
    tx.commit();
    return chosen;
  }

  bool renew_extranonce_prefix(const std::string& instance, int prefix) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "UPDATE extranonce_leases SET heartbeat_ms = ? WHERE prefix = ? AND instance = ?");
    s.bind(1, now_ms()).bind(2, static_cast<int64_t>(prefix)).bind(3, instance);
    s.step();
    return sqlite3_changes(db_) == 1;
  }

  void release_extranonce_prefix(const std::string& instance, int prefix) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "DELETE FROM extranonce_leases WHERE prefix = ? AND instance = ?");
    s.bind(1, static_cast<int64_t>(prefix)).bind(2, instance);
    s.step();
  }

 private:
  /// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
  struct Tx {
    explicit Tx(SqliteStore& s) : store(s) { store.exec("BEGIN IMMEDIATE"); }
    ~Tx() {
      if (!done) sqlite3_exec(store.db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void commit() {
      store.exec("COMMIT");
      done = true;
    }
    SqliteStore& store;
    bool done = false;
  };

  void exec(const std::string& sql) { exec_sql(db_, sql); }

  std::optional<std::string> setting_locked(const std::string& key) {
    Stmt s(db_, "SELECT value FROM settings WHERE key = ?");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

  // Inside a money transaction: a store that has led may write only while its epoch is current.
  void fence() {
    if (epoch_ == 0) return;
    Stmt s(db_, "SELECT epoch FROM leadership WHERE id = 1");
    s.step();
    if (s.i64(0) != epoch_) {
      throw FencedError("leadership moved to epoch " + std::to_string(s.i64(0)) + " (this instance held " +
                        std::to_string(epoch_) + "): money writes refused");
    }
  }

  void migrate() {
    std::lock_guard lock(mutex_);
    exec("CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const auto steps = migrations("sqlite");
    const int64_t current = std::stoll(setting_locked("schema_version").value_or("0"));
    check_schema_version(current, steps.size(), "SQLite database '" + path_ + "'");
    for (int64_t v = current; v < static_cast<int64_t>(steps.size()); ++v) {
      Tx tx(*this);
      exec_migration_step(db_, steps[static_cast<size_t>(v)]);
      Stmt s(db_, "INSERT INTO settings (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
      s.bind(1, std::to_string(v + 1));
      s.step();
      tx.commit();
    }
  }

  std::mutex mutex_;
  std::string path_;
  sqlite3* db_ = nullptr;
  SqliteRunner sql_{db_};  // shared queries on db_ (under mutex_)
  std::mutex reader_mutex_;  // the window reader's own connection
  sqlite3* reader_ = nullptr;
  std::atomic<int64_t> epoch_{0};  // the leadership epoch this store took (0: never led)
  int lock_fd_ = -1;               // "<file>.lock", held exclusively while serving
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) { return std::make_unique<SqliteStore>(path); }

}  // namespace pool::store
