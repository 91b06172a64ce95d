#pragma once
// The one storage interface: shares, blocks, balances with their change log, payments and
// settings. Implemented by SQLite (embedded default) and PostgreSQL (several pool instances).
// All money is integer satoshis. Every method is one transaction and thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mining/accepted_share.h"

namespace pool::store {

/// Thrown when the database cannot be opened or a statement fails; the message says which.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown by a money write (crediting a block, reserving, completing or releasing a payment)
/// from an instance that has led but whose leadership epoch is no longer the current one:
/// another instance took over, so this one must not touch the money any more.
class FencedError : public StoreError {
 public:
  using StoreError::StoreError;
};

/// The database refused a row (PostgreSQL SQLSTATE class 22 data exception or 23 integrity
/// violation; SQLite constraint, mismatch, too big). Retrying the same data cannot succeed, unlike
/// a plain StoreError (connection lost, server restarting, database busy).
class StoreRefused : public StoreError {
 public:
  using StoreError::StoreError;
};

struct WeightedShare {
  std::string address;
  double difficulty = 0;
};

/// One share of a PPLNS window as it streams by (the address is valid during the call only).
struct WindowShare {
  int64_t id = 0;
  std::string_view address;
  double difficulty = 0;
  std::string_view worker;
};

/// A found block's committed PPLNS window: the summary kept with the block. Hashes are hex of the
/// bytes as hashed (internal order); see docs/transparency.md for the leaf encoding and the tree.
struct BlockWindow {
  std::string block_hash;     // display hex
  std::string root;           // Merkle root of the leaves, internal-order hex (zeros: empty window)
  std::string total_weight;   // decimal unsigned 128-bit sum of every leaf's weight
  int64_t fee_ppm = 0;        // the pool fee fixed when the window was committed (parts per million)
  int64_t reward_sats = 0;
  int64_t leaf_count = 0;
  int64_t created_ms = 0;
  std::string commitment_block;  // display hash of our block whose coinbase carries the root ('' = none yet)
  std::string commitment_txid;   // that coinbase's txid
};

/// One leaf of a committed window: one (address, worker) pair's shares in it.
struct WindowLeafRow {
  int64_t index = 0;
  std::string address;
  std::string worker;
  int64_t first_share_id = 0;
  int64_t last_share_id = 0;
  int64_t shares = 0;
  std::string weight;  // decimal unsigned 128-bit
  std::string hash;    // the leaf hash, internal-order hex
};

/// A sent payment that paid an address (one item of it), for the proof endpoint.
struct AddressPayment {
  int64_t payment_id = 0;
  std::string txid;
  int64_t sats = 0;                // the item's amount, before its share of the network fee
  std::optional<int64_t> fee_sats;  // the whole transaction's fee, shared by its recipients
  int64_t recipients = 0;          // items in the payment (outputs that shared the fee)
  int64_t created_ms = 0;
};

/// One address's money trail from one found block: the block, what the address was credited
/// from it, and the sent payments to the address made after that credit.
struct BlockCreditTrail {
  int64_t height = 0;
  std::string status;                   // the block's status
  std::optional<int64_t> credited_sats;  // the address's share_reward change for the block
  std::vector<AddressPayment> payments;  // oldest first, only after a credit
};

/// A found block through its life:
///   found      written (spill file, then database) before it went to the node, no answer yet
///   submitted  sent to the node, which could not be reached: submitted again until it answers
///   pending    the node accepted it (or already had it); waiting for 100 confirmations.
///              `confirmations` is -1 while it is off the best chain (a reorg it may still win)
///   confirmed  credited at 100 confirmations on the best chain (once)
///   rejected   the node rejected it (`submit_reason` says why)
///   orphaned   off the best chain while the best chain is 100 or more blocks above it: final
struct BlockRecord {
  std::string hash;  // display hex
  int64_t height = 0;
  int64_t reward_sats = 0;  // the coinbase value (subsidy + fees)
  std::string finder;       // worker name
  std::string status = "pending";  // found | submitted | pending | confirmed | rejected | orphaned
  int64_t found_ms = 0;
  double network_difficulty = 0;
  std::string scheme = "pplns";  // pplns | solo
  int64_t confirmations = 0;
  std::string finder_address;  // the address the finder mines for
  std::string share_hash;      // the winning share's hash (display hex)
  std::string header_hex;      // the 80-byte header
  std::string submit_reason;   // the node's answer when rejected, or the last transport error
  std::string block_hex;       // the whole block; filled by insert and block_hex() only, not by blocks()
};

/// Statuses a block leaves only through the node: not yet credited, and its shares must stay.
inline bool block_awaits_node(const std::string& status) {
  return status == "found" || status == "submitted" || status == "pending";
}

struct BalanceChange {
  std::string address;
  int64_t delta_sats = 0;
  std::string reason;     // share_reward | payout | fee | correction
  std::string reference;  // block hash or payment id
  int64_t created_ms = 0;
};

struct PaymentRecord {
  int64_t id = 0;
  std::string status;  // pending | sent | released | reversed
  std::string comment;
  std::string txid;
  int64_t created_ms = 0;
  std::map<std::string, int64_t> amounts;
  /// The transaction's network fee, taken from the amounts: the outputs paid amounts less their
  /// share of it. nullopt until sent (and for payouts sent before fees were recorded).
  std::optional<int64_t> fee_sats;
};

/// A payment row's fee column as read with COALESCE(fee_sats, -1).
inline std::optional<int64_t> fee_from_column(int64_t v) { return v < 0 ? std::nullopt : std::optional<int64_t>(v); }
/// A sent payment not yet final, as the payment follower tracks it (accounting/payment_follower).
struct FollowedPayment {
  int64_t id = 0;
  std::string txid;
  /// '' healthy; 'missing' out of the mempool but within the grace; otherwise the trouble an
  /// ALERT was logged for: 'evicted', 'conflicted', 'abandoned', 'unknown' (not in the wallet).
  std::string trouble;
  int64_t trouble_ms = 0;  // when the current trouble began
};

/// A found block against the balance changes that credit it (for the ledger audit).
struct BlockLedger {
  std::string hash;
  std::string status;  // "(no such block)" for credits whose block is not recorded
  std::string scheme;
  int64_t reward_sats = 0;
  int64_t credited_sats = 0;    // share_reward and fee changes that reference the block
  int64_t credit_rows = 0;
  int64_t credited_accounts = 0;  // distinct addresses among those rows
  int64_t height = -1;
};

/// An account's recorded balance against the sum of its change log.
struct AccountLedger {
  std::string address;
  int64_t balance_sats = 0;
  int64_t changes_sats = 0;
  bool has_balance = false;  // a balances row exists
};

/// Everything the ledger audit reads from the store, from one consistent snapshot.
struct LedgerSnapshot {
  std::vector<BlockLedger> blocks;
  std::vector<AccountLedger> accounts;
  std::vector<PaymentRecord> payments;  // every payment with its items, oldest first
  std::vector<BlockWindow> windows;     // every committed PPLNS window
  std::map<std::string, std::vector<WindowLeafRow>> window_leaves;  // block hash -> its leaves by index
  /// block hash -> account -> satoshis credited (share_reward and fee changes), for blocks with a window.
  std::map<std::string, std::map<std::string, int64_t>> window_credits;
};

/// The special account that receives the pool fee and rounding remainders.
inline constexpr const char* kPoolAccount = "(pool)";

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string backend() const = 0;

  /// Records shares in one transaction (the group commit). A share whose header hash is already
  /// stored (or appears earlier in the batch) is not stored again; returns the indices of those
  /// duplicates, ascending. Throws StoreRefused when the database refuses a row (nothing of the
  /// batch is stored then), StoreError when it cannot be reached.
  virtual std::vector<size_t> insert_shares(const std::vector<mining::AcceptedShare>& shares) = 0;
  virtual uint64_t count_shares() = 0;
  /// Streams a PPLNS window: the shares created at or before until_ms, newest first, until their
  /// difficulty reaches `window`. Makes `passes` walks over one consistent snapshot (a split needs
  /// two: the largest difficulty, then the weights), calling visit(pass, share). Reads on a
  /// connection of its own, so share writes never wait for it, and holds nothing in memory: a
  /// mainnet window can be hundreds of millions of shares.
  virtual void walk_window(int64_t until_ms, double window, int passes,
                           const std::function<void(int pass, const WindowShare& share)>& visit) = 0;
  /// Deletes up to `limit` of the oldest shares with id < before_id and created_ms < older_than_ms,
  /// in one short transaction; returns how many went.
  virtual uint64_t delete_shares(int64_t before_id, int64_t older_than_ms, int limit) = 0;

  /// Inserts a found block; false when it is already recorded (then nothing changes).
  virtual bool insert_block(const BlockRecord& block) = 0;
  /// Blocks newest first, without block_hex (a block can be megabytes).
  virtual std::vector<BlockRecord> blocks(const std::optional<std::string>& status, int limit) = 0;
  /// The whole block as submitted, if recorded.
  virtual std::optional<std::string> block_hex(const std::string& hash) = 0;
  /// found | submitted -> `status` (submitted, pending or rejected) with the node's answer. False
  /// when the block is unknown or already past those states (a later answer never goes back).
  virtual bool set_block_submitted(const std::string& hash, const std::string& status, const std::string& reason) = 0;
  /// Updates a pending block's confirmations (-1: currently off the best chain).
  virtual void set_confirmations(const std::string& hash, int64_t confirmations) = 0;
  /// pending -> confirmed with its credits and the pool's part, atomically. False when the block
  /// is not pending (already credited or orphaned): crediting is idempotent.
  virtual bool credit_block(const std::string& hash, const std::map<std::string, int64_t>& credits,
                            int64_t pool_sats) = 0;
  /// pending -> orphaned. False when it was not pending.
  virtual bool orphan_block(const std::string& hash) = 0;

  virtual std::map<std::string, int64_t> balances() = 0;
  virtual std::vector<BalanceChange> balance_changes(const std::string& address, int limit) = 0;
  /// Share rewards credited from blocks above `height`, per address. A block is credited at 100
  /// confirmations but its coinbase is spendable only at 101, so payouts hold these back.
  virtual std::map<std::string, int64_t> credits_from_blocks_above(int64_t height) = 0;

  /// Writes a pending payment and reserves (debits) its amounts in one transaction. Throws
  /// StoreError if any balance is short. Returns the payment id.
  virtual int64_t create_payment(const std::map<std::string, int64_t>& amounts, const std::string& comment_prefix) = 0;
  /// pending -> sent in `txid`, recording the transaction's network fee (positive satoshis, taken
  /// from the recipients' amounts). Throws StoreError when it is no longer pending.
  virtual void complete_payment(int64_t id, const std::string& txid, int64_t fee_sats) = 0;
  /// pending -> released, giving the reserved amounts back.
  virtual void release_payment(int64_t id) = 0;
  virtual std::vector<PaymentRecord> payments(const std::optional<std::string>& status, int limit) = 0;

  /// Sent payments whose transaction has not reached its final depth yet, id > after_id, oldest
  /// first, at most `limit` (the follower walks them round by round).
  virtual std::vector<FollowedPayment> payments_to_follow(int64_t after_id, int limit) = 0;
  /// Records a sent payment's trouble state (see FollowedPayment); nothing for other statuses.
  virtual void set_payment_trouble(int64_t id, const std::string& trouble, int64_t since_ms) = 0;
  /// A sent payment's transaction reached its final depth at `confirmed_ms`: no longer followed.
  virtual void set_payment_final(int64_t id, int64_t confirmed_ms) = 0;
  /// A sent payment's transaction `from_txid` was replaced by a fee bump `to_txid` (same comment,
  /// same outputs): the payment is followed and audited as `to_txid` from now on, its trouble
  /// cleared; its fee_sats (what came out of the miners' outputs) stays. Fenced. False when it is
  /// not `sent` in `from_txid` (already re-pointed, reversed): nothing changes.
  virtual bool repoint_payment(int64_t id, const std::string& from_txid, const std::string& to_txid) = 0;
  /// Sent payments in a trouble an ALERT was logged for (pool_payouts_in_trouble).
  virtual int64_t count_payments_in_trouble() = 0;
  /// sent -> reversed, crediting each item's amount back (balance_changes reason
  /// 'payout_reversed', reference "payment ID"), in one fenced transaction. The caller has
  /// established that its transaction will never pay. False when it is not `sent` (already
  /// reversed, or never sent): nothing is credited twice.
  virtual bool reverse_payment(int64_t id) = 0;
  /// Stores a found block's committed PPLNS window (summary and every leaf) in one transaction,
  /// fenced like the other money writes. False, and nothing changes, when the block already has
  /// one: a committed window is never rewritten.
  virtual bool store_block_window(const BlockWindow& window, const std::vector<WindowLeafRow>& leaves) = 0;
  virtual std::optional<BlockWindow> block_window(const std::string& block_hash) = 0;
  /// Committed windows, newest first.
  virtual std::vector<BlockWindow> block_windows(int limit) = 0;
  /// Leaves by index, [offset, offset + limit).
  virtual std::vector<WindowLeafRow> window_leaves(const std::string& block_hash, int64_t offset, int64_t limit) = 0;
  /// Every leaf of one address, by index.
  virtual std::vector<WindowLeafRow> window_leaves_of(const std::string& block_hash, const std::string& address) = 0;
  /// PPLNS blocks not credited yet (found, submitted, pending) with no committed window, oldest
  /// first, at most `limit`, without block_hex: the windows the leader must commit.
  virtual std::vector<BlockRecord> blocks_needing_window(int limit) = 0;
  /// Records which of our blocks' coinbase carries the window's root ('' and '' clear it, when
  /// that block was orphaned and the root must be carried again). Fenced.
  virtual void set_window_commitment(const std::string& block_hash, const std::string& carrier_block,
                                     const std::string& carrier_txid) = 0;

  /// The block's height and status, the address's share_reward credit from it, and up to
  /// `payments_limit` sent payments to the address made after that credit (oldest first).
  /// nullopt when the block is not recorded.
  virtual std::optional<BlockCreditTrail> block_credit_trail(const std::string& block_hash, const std::string& address,
                                                             int payments_limit) = 0;

  virtual std::optional<std::string> setting(const std::string& key) = 0;
  virtual void set_setting(const std::string& key, const std::string& value) = 0;
  /// Writes the setting only when it is not there yet (an atomic first-writer-wins); returns the
  /// value it holds afterwards, this one or the one another instance wrote first.
  virtual std::string set_setting_if_absent(const std::string& key, const std::string& value) = 0;

  /// Whether this instance may run maturity and payouts. SQLite: always. PostgreSQL: holds a
  /// session advisory lock; another instance takes over when this one's connection dies.
  /// Each new leader increments the leadership epoch in the database; from then on, every money
  /// write of a store that has led checks, inside its own transaction, that the epoch is still
  /// its own, and throws FencedError otherwise (a leader that lost its lock mid-step cannot
  /// complete, release or credit anything after the new leader took over).
  virtual bool try_acquire_leadership() = 0;
  /// Makes this the only pool process serving from this database, or throws StoreError naming
  /// the one that already does. SQLite: an exclusive lock on "<file>.lock" held while the store
  /// is open (two poold on one SQLite file would both lead and pay). PostgreSQL: nothing, several
  /// instances share one database by design. Tools that only read (poold --audit) do not call it.
  virtual void claim_exclusive_use() = 0;
  /// Gives leadership up (PostgreSQL: unlocks, so another instance can take over at once).
  virtual void release_leadership() = 0;
  /// The leadership epoch this store holds (0: it never led).
  virtual int64_t leadership_epoch() const = 0;

  /// Reads the books for the ledger audit in one read-only snapshot.
  virtual LedgerSnapshot ledger_snapshot() = 0;

  /// Leases one of the 256 extranonce1 prefixes (the first byte) for `instance`, so instances on
  /// one database never hand out the same extranonce1: the one `instance` already holds, else the
  /// lowest prefix that is free or whose lease's heartbeat is at least `ttl_ms` old (its instance
  /// died). Time is the database server's clock on PostgreSQL. Throws StoreError when every
  /// prefix is held by a live instance.
  virtual int lease_extranonce_prefix(const std::string& instance, int64_t ttl_ms) = 0;
  /// Refreshes the heartbeat; false when `instance` no longer holds `prefix` (it was taken over).
  virtual bool renew_extranonce_prefix(const std::string& instance, int prefix) = 0;
  /// Gives the prefix back at once (graceful shutdown), so a restart can lease it again.
  virtual void release_extranonce_prefix(const std::string& instance, int prefix) = 0;
};

/// The whole window in memory (tests, small windows); the money path streams it instead.
std::vector<WeightedShare> pplns_window(Store& store, int64_t until_ms, double window);
/// Id of the oldest share in the window, or nullopt when the shares up to until_ms do not fill it
/// (then all of them are in it).
std::optional<int64_t> window_start_id(Store& store, int64_t until_ms, double window);

/// Opens `sqlite:///path` or `postgresql://...` and runs the migrations.
std::unique_ptr<Store> open_store(const std::string& url);

int64_t now_ms();

/// Why complete_payment refused: the payment is no longer pending (released by another leader,
/// or already completed), so the txid may be a second send of money already given back.
std::string not_pending_message(int64_t payment_id, const std::string& txid);

/// A database URL fit for a log line: postgresql://user:secret@host/db -> postgresql://user:***@host/db.
std::string redact_url(const std::string& url);

/// "host:pid", naming an instance in the leadership table.
std::string holder_name();

}  // namespace pool::store
