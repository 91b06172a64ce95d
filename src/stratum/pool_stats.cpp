#include "stratum/pool_stats.h"

#include <algorithm>
#include <functional>
#include <thread>

namespace pool::stratum {

namespace {

// A shard with more pending worker names than this is merged by the writer itself when no reader
// is busy, so the pending changes stay bounded even when nobody reads the statistics.
constexpr size_t kMaxPendingWorkers = 4096;

int64_t bucket_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() / PoolStats::kBucketSeconds;
}

}  // namespace

void PoolStats::Worker::add(int64_t bucket, double difficulty) {
  if (bucket > bucket_epoch) {
    // Clear the buckets that were skipped since the last share.
    for (int64_t i = std::max(bucket_epoch + 1, bucket - kBuckets + 1); i <= bucket; ++i) buckets[i % kBuckets] = 0;
    bucket_epoch = bucket;
  }
  if (bucket > bucket_epoch - kBuckets) buckets[bucket % kBuckets] += difficulty;
}

void PoolStats::Worker::merge(const Worker& delta) {
  if (address.empty()) address = delta.address;
  accepted += delta.accepted;
  rejected += delta.rejected;
  difficulty_sum += delta.difficulty_sum;
  last_share = std::max(last_share, delta.last_share);
  if (delta.accepted == 0) return;
  for (int64_t i = delta.bucket_epoch - kBuckets + 1; i <= delta.bucket_epoch; ++i) {
    if (delta.buckets[i % kBuckets] != 0) add(i, delta.buckets[i % kBuckets]);
  }
}

PoolStats::Shard& PoolStats::own_shard() const {
  thread_local const size_t index = std::hash<std::thread::id>{}(std::this_thread::get_id()) % kShards;
  return shards_[index];
}

void PoolStats::share_accepted(const std::string& worker, const std::string& address, double difficulty,
                               std::chrono::system_clock::time_point when) {
  ++accepted_;
  Shard& shard = own_shard();
  size_t pending;
  {
    std::lock_guard lock(shard.mutex);
    Worker& w = shard.workers[worker];
    if (w.address.empty()) w.address = address;
    ++w.accepted;
    w.difficulty_sum += difficulty;
    w.last_share = std::max(w.last_share, when);
    w.add(bucket_of(when), difficulty);
    pending = shard.workers.size();
  }
  if (pending > kMaxPendingWorkers) {
    std::unique_lock reader(reader_mutex_, std::try_to_lock);
    if (reader.owns_lock()) {
      merge_shard_locked(shard);
      evict_locked(when);
    }
  }
}

void PoolStats::share_rejected(const std::string& worker, const std::string& reason) {
  ++rejected_;
  Shard& shard = own_shard();
  std::lock_guard lock(shard.mutex);
  ++shard.rejects_by_reason[reason];
  // Only an existing pending entry is touched here: a name that never had an accepted share is
  // not a worker (it may be anything a miner typed) and must not grow the table.
  if (!worker.empty()) {
    if (auto it = shard.workers.find(worker); it != shard.workers.end()) {
      ++it->second.rejected;
    } else if (shard.workers.size() < kMaxPendingWorkers) {
      ++shard.workers[worker].rejected;  // dropped at merge unless the worker is known
    }
  }
}

void PoolStats::merge_shard_locked(Shard& shard) const {
  std::unordered_map<std::string, Worker> pending;
  std::map<std::string, uint64_t> rejects;
  {
    std::lock_guard lock(shard.mutex);
    pending.swap(shard.workers);
    rejects.swap(shard.rejects_by_reason);
  }
  for (const auto& [reason, n] : rejects) rejects_by_reason_[reason] += n;
  // Accepted shares first, so rejects of a worker seen for the first time are kept.
  for (auto& [name, delta] : pending) {
    if (delta.accepted > 0) workers_[name].merge(delta);
  }
  for (auto& [name, delta] : pending) {
    if (delta.accepted > 0) continue;
    if (auto it = workers_.find(name); it != workers_.end()) it->second.merge(delta);
  }
}

void PoolStats::evict_locked(std::chrono::system_clock::time_point now) const {
  const auto idle = std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::duration<double>(options_.idle_seconds));
  std::erase_if(workers_, [&](const auto& entry) { return now - entry.second.last_share > idle; });
  if (workers_.size() <= options_.max_workers) return;
  // Over the cap: keep the most recently active max_workers.
  std::vector<std::chrono::system_clock::time_point> times;
  times.reserve(workers_.size());
  for (const auto& [name, w] : workers_) times.push_back(w.last_share);
  const size_t drop = workers_.size() - options_.max_workers;
  std::nth_element(times.begin(), times.begin() + static_cast<ptrdiff_t>(drop - 1), times.end());
  const auto cutoff = times[drop - 1];
  size_t dropped = 0;
  // Everything strictly older than the cutoff goes, then entries at the cutoff until enough.
  std::erase_if(workers_, [&](const auto& entry) {
    if (entry.second.last_share < cutoff) return ++dropped, true;
    return false;
  });
  std::erase_if(workers_, [&](const auto& entry) {
    if (dropped < drop && entry.second.last_share == cutoff) return ++dropped, true;
    return false;
  });
}

void PoolStats::merge_locked(std::chrono::system_clock::time_point now) const {
  // Swap every shard out before merging any, so a worker's first accepted share on one thread
  // is merged before its rejects from another.
  Shard all;
  for (Shard& shard : shards_) {
    std::unordered_map<std::string, Worker> pending;
    std::map<std::string, uint64_t> rejects;
    {
      std::lock_guard lock(shard.mutex);
      pending.swap(shard.workers);
      rejects.swap(shard.rejects_by_reason);
    }
    for (const auto& [reason, n] : rejects) all.rejects_by_reason[reason] += n;
    if (all.workers.empty()) {
      all.workers = std::move(pending);
    } else {
      for (auto& [name, delta] : pending) all.workers[name].merge(delta);
    }
  }
  merge_shard_locked(all);
  evict_locked(now);
}

double PoolStats::hashrate_of(const Worker& w, int64_t now_bucket) {
  double diff = 0;
  for (int64_t i = now_bucket - kBuckets + 1; i <= now_bucket; ++i) {
    if (i <= w.bucket_epoch && i > w.bucket_epoch - kBuckets) diff += w.buckets[i % kBuckets];
  }
  // A share of difficulty 1 takes 2^32 hashes on average.
  return diff * 4294967296.0 / (kBuckets * kBucketSeconds);
}

void PoolStats::visit_locked(std::chrono::system_clock::time_point now,
                             const std::function<void(const WorkerSnapshot&)>& fn) const {
  merge_locked(now);
  const int64_t b = bucket_of(now);
  for (const auto& [name, w] : workers_) {
    fn(WorkerSnapshot{name, w.address, w.accepted, w.rejected, w.difficulty_sum, hashrate_of(w, b), w.last_share});
  }
}

void PoolStats::visit_workers(std::chrono::system_clock::time_point now,
                              const std::function<void(const WorkerSnapshot&)>& fn) const {
  std::lock_guard reader(reader_mutex_);
  visit_locked(now, fn);
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
  std::lock_guard reader(reader_mutex_);
  s.workers.reserve(workers_.size());
  visit_locked(now, [&](const WorkerSnapshot& w) {
    s.hashrate += w.hashrate;
    s.workers.push_back(w);
  });
  s.rejects_by_reason = rejects_by_reason_;
  return s;
}

}  // namespace pool::stratum
