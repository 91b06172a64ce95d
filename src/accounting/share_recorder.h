#pragma once
// The durable ShareSink: accepted shares are written in group-commit batches (one transaction
// each, at most 1,000 shares), and a miner's `true` is released only after its batch has
// committed. The writer commits as soon as it is free, so a batch holds what arrived during the
// previous commit (max_delay can add a wait to grow batches; it defaults to none, and is at most
// 10 ms). A failing database stalls acknowledgements; it never drops a share.
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

  void record(const stratum::AcceptedShare& share, std::function<void()> done) override;
  void flush() override;
  uint64_t committed() const { return committed_; }
  /// Batches committed, and the time the last one took (for metrics).
  uint64_t batches() const { return batches_; }

 private:
  void run();

  store::Store& store_;
  std::chrono::milliseconds max_delay_;
  size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_, drained_;
  std::deque<std::pair<stratum::AcceptedShare, std::function<void()>>> queue_;
  std::chrono::steady_clock::time_point oldest_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  std::atomic<uint64_t> committed_{0}, batches_{0};
  std::thread thread_;
};

}  // namespace pool::accounting
