#include "mining/job_registry.h"

#include <cstdio>

namespace pool::mining {

std::string JobRegistry::next_id() {
  std::lock_guard lock(mutex_);
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(++counter_));
  return buf;
}

std::shared_ptr<JobSeenSet> JobRegistry::seen_set_for(const bitcoin::Uint256& prev_hash) const {
  std::lock_guard lock(mutex_);
  if (!order_.empty() && order_.back()->prev_hash == prev_hash) return order_.back()->seen;
  return std::make_shared<JobSeenSet>();
}

bool JobRegistry::add(JobPtr job) {
  std::lock_guard lock(mutex_);
  const bool new_tip = order_.empty() || job->prev_hash != tip_;
  if (new_tip) {
    order_.clear();
    by_id_.clear();
    tip_ = job->prev_hash;
  }
  by_id_[job->id] = job;
  order_.push_back(std::move(job));
  while (order_.size() > max_jobs_per_tip_) {
    by_id_.erase(order_.front()->id);
    order_.pop_front();
  }
  return new_tip;
}

JobPtr JobRegistry::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

JobPtr JobRegistry::current() const {
  std::lock_guard lock(mutex_);
  return order_.empty() ? nullptr : order_.back();
}

size_t JobRegistry::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

}  // namespace pool::mining
