#include "accounting/accounting_service.h"

#include <spdlog/spdlog.h>

#include "accounting/window_commit.h"

namespace pool::accounting {

namespace {

std::chrono::milliseconds payment_interval(const AccountingOptions& o) {
  return std::chrono::milliseconds(static_cast<int64_t>(o.payment_interval_hours * 3600.0 * 1000.0));
}

std::chrono::milliseconds retry_cap(const AccountingOptions& o) {
  return std::min<std::chrono::milliseconds>(std::chrono::hours(1), payment_interval(o));
}

}  // namespace

AccountingService::AccountingService(store::Store& store, node::BitcoinNode& node, AccountingOptions options)
    : store_(store),
      node_(node),
      options_(std::move(options)),
      follower_(options_.follow),
      payout_retry_(std::min(options_.payout_retry, retry_cap(options_)), retry_cap(options_)) {
  // Asked on the server right before each sendmany: a leader that lost its lock sends nothing.
  options_.payouts.still_leading = [this] { return store_.try_acquire_leadership(); };
  options_.payouts.refusals = &refusals_;  // a refused batch is logged once, not retried unchanged
}

AccountingService::~AccountingService() { stop(); }

void AccountingService::start() { thread_ = std::thread([this] { run(); }); }

void AccountingService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AccountingService::on_new_tip() {
  {
    std::lock_guard lock(mutex_);
    tip_pending_ = true;
  }
  wake_.notify_all();
}

void AccountingService::change_payouts(double fee_percentage, int64_t min_payout_sats, double payment_interval_hours,
                                       int max_outputs) {
  std::lock_guard lock(mutex_);
  AccountingOptions next = reloaded_ ? *reloaded_ : options_;  // options_ is only read by our thread and here
  next.maturity.fee_percentage = fee_percentage;
  next.payouts.min_payout_sats = min_payout_sats;
  next.payment_interval_hours = payment_interval_hours;
  next.payouts.max_outputs = max_outputs;
  reloaded_ = std::move(next);
}

void AccountingService::run() {
  while (true) {
    bool tip = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.tick, [&] { return stopping_ || tip_pending_; });
      if (stopping_) return;
      if (reloaded_) {
        options_ = std::move(*reloaded_);
        reloaded_.reset();
        payout_retry_ = util::RetrySchedule(std::min(options_.payout_retry, retry_cap(options_)), retry_cap(options_));
      }
      tip = tip_pending_;
      tip_pending_ = false;
    }
    step(tip);
  }
}

void AccountingService::step(bool tip_changed) {
  try {
    if (!leader_) {
      // Only an instance paying from the pool's wallet may lead (checked before and after taking
      // the lock, so two instances starting at once with different wallets cannot both record theirs).
      if (!wallet_is_the_pools()) return;
      if (!store_.try_acquire_leadership()) return;
      if (!wallet_is_the_pools()) {
        store_.release_leadership();
        return;
      }
      leader_ = true;
      carrier_.reset();  // tell mining again what to carry
      window_first_seen_.clear();
      spdlog::info("accounting: this instance runs maturity and payouts");
      const auto report = reconcile_payouts(store_, node_, options_.payouts);
      if (!report.error.empty()) throw std::runtime_error(report.error);
      tip_changed = true;
    } else if (!store_.try_acquire_leadership()) {
      leader_ = false;
      spdlog::warn("accounting: lost leadership (its database session ended, or another instance took over); "
                   "trying to take it again");
      return;
    }
    // A new block of ours (committed, or seen through the tip) may carry a root; maturity may
    // orphan one. Refreshed until it succeeds once after each such change.
    if (commit_windows() || tip_changed) carrier_stale_ = true;
    if (tip_changed) check_maturity(store_, node_, options_.maturity);
    if (carrier_stale_) {
      carrier_.refresh(store_, options_.maturity.scheme == "pplns", options_.carry_window_root);
      carrier_stale_ = false;
    }
    const int64_t last = std::stoll(store_.setting("last_payout_ms").value_or("0"));
    if (store::now_ms() - last >= payment_interval(options_).count() && payout_retry_.due(std::chrono::steady_clock::now())) {
      const auto report = run_payouts(store_, node_, options_.payouts);
      ++payout_runs_;
      if (!report.error.empty()) {
        payout_failing_ = true;
        const auto wait = payout_retry_.failed(std::chrono::steady_clock::now());
        // A refusal was logged once by run_payouts, with what the operator must do; it is not
        // logged again on every retry (the audit and pruning go on meanwhile).
        if (!report.refused) {
          throw std::runtime_error(report.error + "; next try in " + std::to_string((wait.count() + 999) / 1000) + " s");
        }
      } else {
        payout_retry_.succeeded();
        payout_failing_ = false;
        store_.set_setting("last_payout_ms", std::to_string(store::now_ms()));
        audit(true);
      }
    }
    audit(false);
    prune_if_due();
    follow_if_due(tip_changed);
    if (payout_retry_.failing()) return;  // not "working again" while a payout run waits to retry
    if (!last_error_.empty()) spdlog::info("accounting: working again");
    last_error_.clear();
  } catch (const std::exception& e) {
    if (e.what() != last_error_) spdlog::error("accounting: {} (retrying)", e.what());
    last_error_ = e.what();
  }
}

bool AccountingService::wallet_is_the_pools() {
  if (wallet_identity_.empty()) wallet_identity_ = node_.wallet_identity();
  // First writer wins, atomically: two instances starting at once cannot both record theirs.
  const bool first = !store_.setting("wallet_identity");
  const std::string recorded = store_.set_setting_if_absent("wallet_identity", wallet_identity_);
  if (recorded == wallet_identity_) {
    if (first) spdlog::info("accounting: the pool pays from {} (recorded; every instance must use this wallet)", wallet_identity_);
    return true;
  }
  const std::string why = "this instance's wallet is " + wallet_identity_ + ", but the pool pays from " + recorded +
                          ": refusing to run maturity and payouts (configure [bitcoin] wallet to the pool's wallet)";
  if (why != last_error_) spdlog::error("accounting: {}", why);
  last_error_ = why;
  wrong_wallet_ = true;
  return false;
}

LedgerStatus AccountingService::ledger_status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

void AccountingService::audit(bool forced) {
  const auto now = std::chrono::steady_clock::now();
  if (!forced && last_audit_ && now - *last_audit_ < options_.audit_interval) return;
  last_audit_ = now;
  const AuditReport report = run_ledger_audit(store_, node_, options_.payouts.comment_prefix);
  if (!report.complete) return;  // the wallet could not be asked: keep the last verdict
  LedgerStatus status;
  status.audited = true;
  status.ok = report.ok();
  status.at_ms = store::now_ms();
  for (const auto& c : report.checks) status.checks.emplace_back(c.name, c.ok());
  status.obligations_sats = report.obligations_sats;
  status.assets_sats = report.assets_sats;
  {
    std::lock_guard lock(status_mutex_);
    status_ = status;
  }
  std::string failure;
  for (const auto& line : report.lines()) failure += line + "; ";
  if (report.ok()) {
    if (!last_audit_failure_.empty()) spdlog::info("ledger audit: the books balance again");
    last_audit_failure_.clear();
  } else if (failure != last_audit_failure_) {
    for (const auto& line : report.lines()) spdlog::error("ledger audit: {}", line);
    last_audit_failure_ = failure;
  }
}

bool AccountingService::commit_windows() {
  const int64_t now = store::now_ms();
  const auto steady = std::chrono::steady_clock::now();
  const auto delay = options_.window_commit_delay;
  std::map<std::string, std::chrono::steady_clock::time_point> seen;
  // A block is committed once it was found, and has been in the database, for the delay: a block
  // stored late (after a database outage) waits for the shares stored with it.
  const int n = commit_found_windows(store_, options_.maturity.pplns_window, options_.maturity.fee_percentage, now,
                                     [&](const store::BlockRecord& b) {
                                       const auto first = window_first_seen_.emplace(b.hash, steady).first->second;
                                       seen.emplace(b.hash, first);
                                       return b.found_ms <= now - delay.count() && steady - first >= delay;
                                     });
  window_first_seen_ = std::move(seen);  // committed ones are gone from the list
  return n > 0;
}

void AccountingService::follow_if_due(bool tip_changed) {
  const auto now = std::chrono::steady_clock::now();
  if (!tip_changed && last_follow_ && now - *last_follow_ < options_.follow_interval) return;
  last_follow_ = now;
  const auto report = follower_.run_once(store_, node_);
  if (!report.error.empty()) throw std::runtime_error(report.error);
}

void AccountingService::prune_if_due() {
  const auto now = std::chrono::steady_clock::now();
  if (options_.retention.retention_days <= 0) return;
  if (last_prune_ && now - *last_prune_ < options_.prune_interval) return;
  const double difficulty = node_.get_blockchain_info().difficulty;
  const auto report = prune_shares(store_, difficulty, options_.retention, store::now_ms());
  last_prune_ = now;
  shares_pruned_ += report.deleted;
  if (report.deleted > 0) {
    spdlog::info("shares: deleted {} shares older than {} days that no block can be paid from", report.deleted,
                 options_.retention.retention_days);
  }
}

}  // namespace pool::accounting
