#pragma once
// The live jobs: every job of the current tip stays valid for shares; jobs of an older tip are
// dropped, so their shares are stale.
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "mining/job.h"

namespace pool::mining {

/// Owns the jobs shares may still be submitted for. Thread-safe.
class JobRegistry {
 public:
  explicit JobRegistry(size_t max_jobs_per_tip = 32) : max_jobs_per_tip_(max_jobs_per_tip) {}

  /// A fresh job id: short lower-case hex, unique for this registry's lifetime.
  std::string next_id();
  /// Adds a job. A job on a different prev_hash than the current tip replaces all others.
  /// Returns true when the job starts a new tip.
  bool add(JobPtr job);
  /// The job with this id, or nullptr when unknown or stale.
  JobPtr find(const std::string& id) const;
  /// The seen-set a new job on `prev_hash` must share: the current job's when it is on the same
  /// tip (a refresh of the template is the same work, so a header is one share under either job
  /// id), a fresh one on a new tip.
  std::shared_ptr<JobSeenSet> seen_set_for(const bitcoin::Uint256& prev_hash) const;
  /// The newest job, or nullptr before the first.
  JobPtr current() const;
  size_t size() const;

 private:
  size_t max_jobs_per_tip_;
  mutable std::mutex mutex_;
  uint64_t counter_ = 0;
  bitcoin::Uint256 tip_;
  std::deque<JobPtr> order_;
  std::unordered_map<std::string, JobPtr> by_id_;
};

}  // namespace pool::mining
