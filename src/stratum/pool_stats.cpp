#include "stratum/pool_stats.h"

namespace pool::stratum {

namespace {
int64_t bucket_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() / PoolStats::kBucketSeconds;
}
}  // namespace

void PoolStats::share_accepted(const std::string& worker, const std::string& address, double difficulty,
                               std::chrono::system_clock::time_point when) {
  ++accepted_;
  const int64_t b = bucket_of(when);
  std::lock_guard lock(mutex_);
  Worker& w = workers_[worker];
  if (w.address.empty()) w.address = address;
  ++w.accepted;
  w.difficulty_sum += difficulty;
  w.last_share = when;
  if (b > w.bucket_epoch) {
    // Clear the buckets that were skipped since the last share.
    for (int64_t i = std::max(w.bucket_epoch + 1, b - kBuckets + 1); i <= b; ++i) w.buckets[i % kBuckets] = 0;
    w.bucket_epoch = b;
  }
  if (b > w.bucket_epoch - kBuckets) w.buckets[b % kBuckets] += difficulty;
}

void PoolStats::share_rejected(const std::string& worker, const std::string& reason) {
  ++rejected_;
  std::lock_guard lock(mutex_);
  ++rejects_by_reason_[reason];
  if (!worker.empty()) {
    auto it = workers_.find(worker);
    if (it != workers_.end()) ++it->second.rejected;
  }
}

double PoolStats::hashrate_of(const Worker& w, int64_t now_bucket) {
  double diff = 0;
  for (int64_t i = now_bucket - kBuckets + 1; i <= now_bucket; ++i) {
    if (i <= w.bucket_epoch && i > w.bucket_epoch - kBuckets) diff += w.buckets[i % kBuckets];
  }
  // A share of difficulty 1 takes 2^32 hashes on average.
  return diff * 4294967296.0 / (kBuckets * kBucketSeconds);
}

StatsSnapshot PoolStats::snapshot(std::chrono::system_clock::time_point now) const {
  StatsSnapshot s;
  s.connections = static_cast<uint64_t>(std::max<int64_t>(0, connections_));
  s.authorized = static_cast<uint64_t>(std::max<int64_t>(0, authorized_));
  s.accepted = accepted_;
  s.rejected = rejected_;
  s.blocks = blocks_;
  s.invalid_messages = invalid_messages_;
  s.abuse_disconnects = abuse_disconnects_;
  s.bans = bans_;
  s.queued_output_bytes = static_cast<uint64_t>(std::max<int64_t>(0, queued_));
  s.queued_output_peak_bytes = static_cast<uint64_t>(queued_peak_.load());
  s.slow_reader_disconnects = slow_reader_disconnects_;
  s.accept_errors = accept_errors_;
  const int64_t b = bucket_of(now);
  std::lock_guard lock(mutex_);
  s.rejects_by_reason = rejects_by_reason_;
  for (const auto& [name, w] : workers_) {
    WorkerSnapshot ws{name, w.address, w.accepted, w.rejected, w.difficulty_sum, hashrate_of(w, b), w.last_share};
    s.hashrate += ws.hashrate;
    s.workers.push_back(std::move(ws));
  }
  return s;
}

}  // namespace pool::stratum
