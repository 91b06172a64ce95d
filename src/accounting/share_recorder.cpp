#include "accounting/share_recorder.h"

#include <spdlog/spdlog.h>

#include "util/text.h"

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

void ShareRecorder::record(const stratum::AcceptedShare& share, std::function<void(stratum::RecordOutcome)> done) {
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

void ShareRecorder::insert_range(const std::vector<stratum::AcceptedShare>& shares, size_t first, size_t last,
                                 std::vector<stratum::RecordOutcome>& outcomes) {
  using stratum::RecordOutcome;
  auto backoff = std::chrono::milliseconds(100);
  bool retried = false;
  while (true) {
    try {
      const std::vector<stratum::AcceptedShare> part(shares.begin() + static_cast<std::ptrdiff_t>(first),
                                                     shares.begin() + static_cast<std::ptrdiff_t>(last));
      for (size_t i = first; i < last; ++i) outcomes[i] = RecordOutcome::kRecorded;
      // After a failed attempt whose COMMIT may have gone through, "already stored" means this
      // very share made it the first time: it is recorded (once), not a replay.
      for (size_t d : store_.insert_shares(part)) {
        if (!retried) outcomes[first + d] = RecordOutcome::kDuplicate;
      }
      return;
    } catch (const store::StoreRefused& e) {
      if (last - first == 1) {
        const auto& s = shares[first];
        spdlog::error("shares: the database refused the share {} of worker '{}' from {} ({}); the miner is told it was "
                      "not recorded",
                      s.hash.hex(), util::printable(s.worker), util::printable(s.remote), util::printable(e.what(), 300));
        outcomes[first] = RecordOutcome::kRefused;
        return;
      }
      // Isolate the refused row(s): the halves without one go in as usual.
      const size_t mid = first + (last - first) / 2;
      insert_range(shares, first, mid, outcomes);
      insert_range(shares, mid, last, outcomes);
      return;
    } catch (const std::exception& e) {
      // Never drop: the miners' replies wait until the database takes the batch.
      spdlog::error("shares: cannot record {} shares ({}); retrying in {} ms", last - first, e.what(), backoff.count());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      retried = true;
    }
  }
}

void ShareRecorder::run() {
  std::vector<stratum::AcceptedShare> shares;
  std::vector<std::function<void(stratum::RecordOutcome)>> dones;
  std::vector<stratum::RecordOutcome> outcomes;
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
    outcomes.assign(shares.size(), stratum::RecordOutcome::kRecorded);
    insert_range(shares, 0, shares.size(), outcomes);
    for (auto o : outcomes) {
      if (o == stratum::RecordOutcome::kRecorded) ++committed_;
      if (o == stratum::RecordOutcome::kDuplicate) ++duplicates_;
      if (o == stratum::RecordOutcome::kRefused) ++refused_;
    }
    ++batches_;
    for (size_t i = 0; i < dones.size(); ++i) dones[i](outcomes[i]);
    {
      std::lock_guard lock(mutex_);
      in_flight_ = 0;
    }
    drained_.notify_all();
  }
}

}  // namespace pool::accounting
