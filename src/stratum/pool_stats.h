#pragma once
// Counters and per-worker statistics the server keeps for monitoring and the API: accepted
// shares, rejects by reason, last share time and a hashrate estimate from difficulty-weighted
// shares. Thread-safe, and built so that reading never holds up share handling:
//   - each Stratum thread writes into its own shard (a small map of what changed since the last
//     read, under a lock only that thread and a reader's O(1) swap take);
//   - a reader (snapshot, visit_workers) swaps the shards' changes out, merges them into the
//     table it alone owns, evicts idle workers, and copies from that table without any lock a
//     share takes.
// The table is bounded: a worker with no share for `idle_seconds` is dropped, and past
// `max_workers` the least recently active go first.
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace pool::stratum {

struct WorkerSnapshot {
  std::string name;
  std::string address;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  double difficulty_sum = 0;
  double hashrate = 0;  // hashes per second over the last 10 minutes
  std::chrono::system_clock::time_point last_share{};
};

struct StatsSnapshot {
  uint64_t connections = 0;
  uint64_t authorized = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t blocks = 0;
  std::map<std::string, uint64_t> rejects_by_reason;
  uint64_t invalid_messages = 0;   // lines that were not JSON-RPC
  uint64_t abuse_disconnects = 0;  // connections closed by the abuse limits
  uint64_t bans = 0;               // IPs backed off
  std::vector<WorkerSnapshot> workers;
  double hashrate = 0;
};

struct PoolStatsOptions {
  double idle_seconds = 24 * 3600;  // a worker with no accepted share for this long is forgotten
  size_t max_workers = 100000;      // beyond this the least recently active workers are forgotten
};

/// Owns the counters; shared by every connection thread.
class PoolStats {
 public:
  static constexpr int kBucketSeconds = 30;
  static constexpr int kBuckets = 20;  // 10 minutes
  static constexpr size_t kShards = 16;

  explicit PoolStats(PoolStatsOptions options = {}) : options_(options) {}

  void share_accepted(const std::string& worker, const std::string& address, double difficulty,
                      std::chrono::system_clock::time_point when);
  /// Counts a reject by reason; per worker only for a worker that has had an accepted share.
  void share_rejected(const std::string& worker, const std::string& reason);
  void block_found() { ++blocks_; }
  void invalid_message() { ++invalid_messages_; }
  void abuse_disconnect(bool banned) {
    ++abuse_disconnects_;
    if (banned) ++bans_;
  }
  void connection_opened() { ++connections_; }
  void connection_closed() { --connections_; }
  void worker_authorized() { ++authorized_; }
  void worker_gone() { --authorized_; }
  uint64_t accepted_total() const { return accepted_; }
  uint64_t connections() const { return connections_; }

  StatsSnapshot snapshot(std::chrono::system_clock::time_point now) const;
  /// Calls `fn` for each worker (after merging recent shares and evicting idle workers as of
  /// `now`). Share handling goes on while `fn` runs; other readers wait.
  void visit_workers(std::chrono::system_clock::time_point now, const std::function<void(const WorkerSnapshot&)>& fn) const;

 private:
  struct Worker {
    std::string address;
    uint64_t accepted = 0, rejected = 0;
    double difficulty_sum = 0;
    std::chrono::system_clock::time_point last_share{};
    std::array<double, kBuckets> buckets{};  // difficulty per 30 s bucket
    int64_t bucket_epoch = 0;                // absolute bucket number of buckets[epoch % kBuckets]
    void add(int64_t bucket, double difficulty);
    void merge(const Worker& delta);
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Worker> workers;    // changes since the last read
    std::map<std::string, uint64_t> rejects_by_reason;  // likewise
  };
  static double hashrate_of(const Worker& w, int64_t now_bucket);
  Shard& own_shard() const;
  /// Merges every shard's changes into workers_ and evicts; needs reader_mutex_.
  void merge_locked(std::chrono::system_clock::time_point now) const;
  void merge_shard_locked(Shard& shard) const;
  void evict_locked(std::chrono::system_clock::time_point now) const;
  void visit_locked(std::chrono::system_clock::time_point now, const std::function<void(const WorkerSnapshot&)>& fn) const;

  const PoolStatsOptions options_;
  mutable std::array<Shard, kShards> shards_;
  mutable std::mutex reader_mutex_;  // taken by readers; a writer only ever try_locks it
  mutable std::unordered_map<std::string, Worker> workers_;  // merged table, under reader_mutex_
  mutable std::map<std::string, uint64_t> rejects_by_reason_;  // likewise
  std::atomic<uint64_t> accepted_{0}, rejected_{0}, blocks_{0};
  std::atomic<uint64_t> invalid_messages_{0}, abuse_disconnects_{0}, bans_{0};
  std::atomic<int64_t> connections_{0}, authorized_{0};
};

}  // namespace pool::stratum
