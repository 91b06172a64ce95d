#include "accounting/share_recorder.h"

#include <spdlog/spdlog.h>

namespace pool::accounting {

ShareRecorder::ShareRecorder(store::Store& store, std::chrono::milliseconds max_delay, size_t max_batch)
    : store_(store), max_delay_(max_delay), max_batch_(max_batch), thread_([this] { run(); }) {}

ShareRecorder::~ShareRecorder() {
  flush();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ShareRecorder::record(const stratum::AcceptedShare& share, std::function<void()> done) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) oldest_ = std::chrono::steady_clock::now();
    queue_.emplace_back(share, std::move(done));
    if (queue_.size() > 1 && queue_.size() < max_batch_) return;  // the writer has been woken already
  }
  wake_.notify_one();
}

void ShareRecorder::flush() {
  std::unique_lock lock(mutex_);
  wake_.notify_one();
  drained_.wait(lock, [&] { return queue_.empty() && in_flight_ == 0; });
}

void ShareRecorder::run() {
  std::vector<stratum::AcceptedShare> shares;
  std::vector<std::function<void()>> dones;
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      // Group commit: optionally wait until the batch is full or its oldest share has waited
      // max_delay; by default take what is there now (shares that came during the last commit).
      if (max_delay_.count() > 0) {
        wake_.wait_until(lock, oldest_ + max_delay_, [&] { return stopping_ || queue_.size() >= max_batch_; });
      }
      const size_t n = std::min(queue_.size(), max_batch_);
      shares.clear();
      dones.clear();
      for (size_t i = 0; i < n; ++i) {
        shares.push_back(std::move(queue_.front().first));
        dones.push_back(std::move(queue_.front().second));
        queue_.pop_front();
      }
      if (!queue_.empty()) oldest_ = std::chrono::steady_clock::now();
      in_flight_ = n;
    }
    while (true) {
      try {
        store_.insert_shares(shares);
        break;
      } catch (const std::exception& e) {
        // Never drop: the miners' replies wait until the database takes the batch.
        spdlog::error("shares: cannot record {} shares ({}); retrying in {} ms", shares.size(), e.what(), backoff.count());
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      }
    }
    backoff = std::chrono::milliseconds(100);
    committed_ += shares.size();
    ++batches_;
    for (auto& done : dones) done();
    {
      std::lock_guard lock(mutex_);
      in_flight_ = 0;
    }
    drained_.notify_all();
  }
}

}  // namespace pool::accounting
