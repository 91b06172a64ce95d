#pragma once
// The durable ShareSink: accepted shares are written in group-commit batches (one transaction
// each, at most 1,000 shares), and a miner's `true` is released only after its batch has
// committed. The writer commits as soon as it is free, so a batch holds what arrived during the
// previous commit (max_delay can add a wait to grow batches; it defaults to none, and is at most
// 10 ms). A database that cannot be reached stalls acknowledgements; it never drops a share. A
// row the database refuses (bad data) is isolated by splitting the batch, answered with an error
// and logged, so it never blocks the shares around it. A share already stored is a duplicate.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "store/store.h"
#include "stratum/share_sink.h"

namespace pool::accounting {

/// Owns the writer thread and the queue of shares waiting for their commit.
class ShareRecorder : public stratum::ShareSink {
 public:
  ShareRecorder(store::Store& store, std::chrono::milliseconds max_delay = std::chrono::milliseconds(0),
                size_t max_batch = 1000);
  ~ShareRecorder() override;

  void record(const stratum::AcceptedShare& share, std::function<void(stratum::RecordOutcome)> done) override;
  void flush() override;
  uint64_t committed() const { return committed_; }
  /// Batches committed, and the time the last one took (for metrics).
  uint64_t batches() const { return batches_; }
  /// Shares the database already held (replays) and shares it refused.
  uint64_t duplicates() const { return duplicates_; }
  uint64_t refused() const { return refused_; }

 private:
  void run();
  /// Inserts shares[first, last), retrying while the database is unreachable and splitting around
  /// refused rows; fills outcomes for that range.
  void insert_range(const std::vector<stratum::AcceptedShare>& shares, size_t first, size_t last,
                    std::vector<stratum::RecordOutcome>& outcomes);

  store::Store& store_;
  std::chrono::milliseconds max_delay_;
  size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_, drained_;
  std::deque<std::pair<stratum::AcceptedShare, std::function<void(stratum::RecordOutcome)>>> queue_;
  std::chrono::steady_clock::time_point oldest_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  std::atomic<uint64_t> committed_{0}, batches_{0}, duplicates_{0}, refused_{0};
  std::thread thread_;
};

}  // namespace pool::accounting
