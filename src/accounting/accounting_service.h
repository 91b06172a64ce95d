#pragma once
// Runs the money path in the background: it commits each found PPLNS block's window and tells
// mining which window root to carry, on every new block it checks maturity, every payment
// interval it pays, and every prune interval it deletes shares no block can be paid from; only
// while this instance holds the store's leadership (always with SQLite; one instance per
// PostgreSQL database). Outages are logged once and retried.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "accounting/ledger_audit.h"
#include "accounting/maturity.h"
#include "accounting/payment_follower.h"
#include "accounting/payouts.h"
#include "accounting/share_retention.h"
#include "accounting/window_carrier.h"
#include "bitcoin/uint256.h"
#include "util/retry_schedule.h"

namespace pool::accounting {

struct AccountingOptions {
  MaturityOptions maturity;
  PayoutOptions payouts;
  double payment_interval_hours = 24;
  RetentionOptions retention;
  std::chrono::milliseconds prune_interval{std::chrono::hours(1)};
  /// A failed payout run (wallet short of funds, node down) is retried after this, doubling up to
  /// an hour (or the payment interval, if shorter) — not on every tick.
  std::chrono::milliseconds payout_retry{std::chrono::seconds(30)};
  std::chrono::milliseconds tick{1000};  // leadership and timer checks
  /// The ledger audit runs this often, and after every payout run.
  std::chrono::milliseconds audit_interval{std::chrono::minutes(10)};
  /// Sent payouts not final yet are checked on every new block and at least this often.
  FollowOptions follow;
  std::chrono::milliseconds follow_interval{std::chrono::seconds(30)};
  /// Told which committed PPLNS window root the next coinbases must carry (nullopt: none), each
  /// time that changes; the app wires it to JobManager::set_window_commitment. May be empty.
  std::function<void(std::optional<bitcoin::Uint256>)> carry_window_root;
  /// A found PPLNS block's window is committed once the block is this old and has been in the
  /// database this long, so shares accepted just before it (still in the share recorder's group
  /// commit, or retried after a database outage) are in it.
  std::chrono::milliseconds window_commit_delay{std::chrono::seconds(10)};
};

/// The last ledger audit's outcome, for /metrics (pool_ledger_ok and its parts).
struct LedgerStatus {
  bool audited = false;  // false until the first audit completed
  bool ok = false;
  int64_t at_ms = 0;
  std::vector<std::pair<std::string, bool>> checks;  // name, passed
  int64_t obligations_sats = 0, assets_sats = 0;
};

/// Owns the accounting thread.
class AccountingService {
 public:
  AccountingService(store::Store& store, node::BitcoinNode& node, AccountingOptions options);
  ~AccountingService();
  void start();
  void stop();
  /// A new best block: check maturity now.
  void on_new_tip();
  bool is_leader() const { return leader_; }
  /// True once this instance found its node's wallet differs from the one the pool pays from.
  bool wrong_wallet() const { return wrong_wallet_; }
  uint64_t payout_runs() const { return payout_runs_; }
  /// True from a failed payout run until the next one succeeds.
  bool payout_failing() const { return payout_failing_; }
  uint64_t shares_pruned() const { return shares_pruned_; }
  /// A configuration reload: the pool fee, the minimum payout, the payment interval and the
  /// outputs per transaction take effect from the accounting thread's next step (blocks credited
  /// before keep the fee they had).
  void change_payouts(double fee_percentage, int64_t min_payout_sats, double payment_interval_hours, int max_outputs);
  /// The last completed audit (a copy; never waits for one in progress).
  LedgerStatus ledger_status() const;

 private:
  void run();
  void step(bool tip_changed);
  void prune_if_due();
  void audit(bool forced);
  void follow_if_due(bool tip_changed);
  /// Commits found blocks' windows; returns true when one was committed.
  bool commit_windows();
  bool wallet_is_the_pools();

  store::Store& store_;
  node::BitcoinNode& node_;
  AccountingOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool tip_pending_ = true, stopping_ = false;
  std::optional<AccountingOptions> reloaded_;  // under mutex_: applied by the thread at its next step
  std::atomic<bool> leader_{false};
  std::atomic<uint64_t> payout_runs_{0};
  std::atomic<bool> payout_failing_{false};
  std::atomic<uint64_t> shares_pruned_{0};
  std::optional<std::chrono::steady_clock::time_point> last_prune_, last_audit_, last_follow_;
  PaymentFollower follower_;
  WindowCarrier carrier_;  // which window root the coinbases carry (accounting thread only)
  bool carrier_stale_ = true;  // a block or window changed since the carrier's last refresh
  /// Blocks waiting for their window to be committed: when this leader first saw each.
  std::map<std::string, std::chrono::steady_clock::time_point> window_first_seen_;
  mutable std::mutex status_mutex_;  // guards status_ only
  LedgerStatus status_;
  std::string last_audit_failure_;
  util::RetrySchedule payout_retry_;
  PayoutRefusals refusals_;  // the last batch the wallet refused (accounting thread only)
  std::string last_error_;
  std::string wallet_identity_;  // of the node's wallet, asked once
  std::atomic<bool> wrong_wallet_{false};
  std::thread thread_;
};

}  // namespace pool::accounting
