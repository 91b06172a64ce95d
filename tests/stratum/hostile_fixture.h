#pragma once
// The shape every hostile-client test shares: start poold and the honest miner, measure the
// baseline, run one attack, then check what a pool operator would notice: (a) the honest
// miner's shares kept being answered `true` within kAnswerBound during and after the attack,
// (b) the server's RSS stayed under baseline + kRssHeadroomKib during it, (c) every share row
// is a distinct hash and there is one row per `true`, and poold still exits cleanly on SIGTERM.
#include <gtest/gtest.h>

#include <iostream>

#include "stratum/hostile_harness.h"
#include "support/test_databases.h"

namespace pool::test::hostile {

/// Owns the pool, its database, the honest miner and the RSS monitor of one test.
class HostileTest : public ::testing::Test {
 protected:
  /// Starts poold on `backend` ("sqlite" or "postgresql") and the honest miner; waits until
  /// its first shares are answered. False (test failed or skipped) when that cannot happen.
  bool start_pool(const std::string& backend, PoolOptions options = {}) {
    db_ = database_for_test(backend);
    if (!db_) return false;
    options.db_url = db_->url();
    pool_ = std::make_unique<PooldProcess>(options);
    if (!pool_->listening()) {
      ADD_FAILURE() << "poold did not start listening\n" << pool_->log_tail();
      return false;
    }
    honest_ = std::make_unique<HonestMiner>(pool_->port(), std::string(kAddress) + ".honest");
    if (!honest_->wait_accepted(5)) {
      ADD_FAILURE() << "the honest miner got no shares accepted before the attack\n" << pool_->log_tail();
      return false;
    }
    return true;
  }

  /// Measures the baseline and starts sampling RSS; call right before the attack.
  void begin_attack() {
    baseline_kib_ = pool_->rss_kib();
    baseline_fds_ = pool_->open_fds();
    monitor_ = std::make_unique<RssMonitor>(pool_->pid());
  }

  /// Checks (a), (b) and (c) once the attack is over. `other_rows` are shares the test itself
  /// got `true` for on other connections.
  void verify_after_attack(const std::string& attack, uint64_t other_rows = 0) {
    const uint64_t peak = monitor_ ? monitor_->peak_kib() : 0;
    monitor_.reset();
    ASSERT_TRUE(pool_->alive()) << "poold died during the attack\n" << pool_->log_tail();
    // (a) the honest miner was served during the attack and still is after it.
    EXPECT_TRUE(honest_->wait_accepted(honest_->accepted() + 10, 10s))
        << "the honest miner stopped getting shares accepted after " << attack;
    honest_->stop();
    const auto failures = honest_->failures();
    EXPECT_TRUE(failures.empty()) << attack << ": " << failures.size() << " honest-miner failures, first: "
                                  << (failures.empty() ? "" : failures.front());
    // (b) memory.
    EXPECT_LT(peak, baseline_kib_ + kRssHeadroomKib)
        << attack << ": RSS peaked at " << peak / 1024 << " MiB, baseline " << baseline_kib_ / 1024 << " MiB";
    std::cout << "[hostile] " << attack << ": baseline RSS " << baseline_kib_ << " KiB, peak " << peak
              << " KiB (+" << (peak > baseline_kib_ ? peak - baseline_kib_ : 0) << " KiB); honest max latency "
              << honest_->max_latency().count() << " ms; fds " << baseline_fds_ << " -> " << pool_->open_fds() << "\n";
    RecordProperty("rss_baseline_kib", std::to_string(baseline_kib_));
    RecordProperty("rss_peak_kib", std::to_string(peak));
    // (c) nothing stored twice; every `true` is one row.
    const std::string log = pool_->log_tail();
    EXPECT_EQ(pool_->stop(5s), 0) << "poold did not exit cleanly on SIGTERM\n" << log;
    const ShareRows rows = count_share_rows(db_->url());
    EXPECT_EQ(rows.rows, rows.distinct_hashes) << attack << ": a share hash was stored twice";
    EXPECT_EQ(rows.rows, honest_->accepted() + other_rows) << attack << ": rows differ from the shares answered true";
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<PooldProcess> pool_;
  std::unique_ptr<HonestMiner> honest_;
  std::unique_ptr<RssMonitor> monitor_;
  uint64_t baseline_kib_ = 0;
  size_t baseline_fds_ = 0;
};

}  // namespace pool::test::hostile
