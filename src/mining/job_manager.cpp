#include "mining/job_manager.h"

#include <spdlog/spdlog.h>

#include "mining/job_builder.h"

namespace pool::mining {

JobManager::JobManager(node::BitcoinNode& node, JobRegistry& registry, Options options, JobListener listener)
    : node_(node), registry_(registry), options_(std::move(options)), listener_(std::move(listener)) {}

JobManager::~JobManager() { stop(); }

void JobManager::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void JobManager::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JobManager::notify_new_tip(const node::TipEvent& event) {
  {
    std::lock_guard lock(mutex_);
    pending_tip_ = event;
  }
  wake_.notify_all();
}

void JobManager::set_window_commitment(std::optional<bitcoin::Uint256> root) {
  {
    std::lock_guard lock(mutex_);
    if (window_root_ == root) return;
    window_root_ = root;
    refresh_requested_ = true;
  }
  if (root) {
    spdlog::info("work: the coinbase now carries PPLNS window root {}", root->internal_hex());
  } else {
    spdlog::info("work: the coinbase carries no PPLNS window root");
  }
  wake_.notify_all();
}

std::optional<bitcoin::Uint256> JobManager::window_commitment() const {
  std::lock_guard lock(mutex_);
  return window_root_;
}

std::optional<double> JobManager::last_tip_to_job_ms() const {
  std::lock_guard lock(mutex_);
  return last_tip_to_job_ms_;
}

JobPtr JobManager::refresh_now() {
  std::lock_guard refresh_lock(refresh_mutex_);
  std::shared_ptr<node::BlockTemplate> tmpl;
  try {
    tmpl = std::make_shared<node::BlockTemplate>(node_.get_block_template());
  } catch (const std::exception& e) {
    if (health_.report_failure(e.what())) {
      spdlog::error("node: cannot get a block template: {} (work is not refreshed until the node answers; retrying)",
                    e.what());
    }
    return nullptr;
  }
  if (health_.report_success()) spdlog::info("node: answering again; work refreshes resume");
  const JobPtr previous = registry_.current();
  const bool clean = !previous || previous->prev_hash != tmpl->previous_block_hash;
  Job built = build_job(tmpl, options_.payout_script, options_.coinbase, registry_.next_id(), clean,
                        window_commitment());
  built.seen = registry_.seen_set_for(built.prev_hash);  // one set per tip
  auto job = std::make_shared<const Job>(std::move(built));
  registry_.add(job);
  if (clean) {
    spdlog::info("new work: height {} prev {} with {} transactions, {} sat reward (job {})", job->height,
                 job->prev_hash.hex(), tmpl->transactions.size(), job->coinbase_value, job->id);
  } else {
    spdlog::debug("refreshed work: height {} with {} transactions (job {})", job->height, tmpl->transactions.size(),
                  job->id);
  }
  if (listener_) listener_(job);
  return job;
}

void JobManager::run() {
  auto next_refresh = std::chrono::steady_clock::now();
  auto backoff = std::chrono::milliseconds(1000);
  while (true) {
    std::optional<node::TipEvent> tip;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_refresh,
                       [&] { return stopping_ || pending_tip_.has_value() || refresh_requested_; });
      if (stopping_) return;
      tip = pending_tip_;
      pending_tip_.reset();
      refresh_requested_ = false;
    }
    const JobPtr job = refresh_now();
    if (!job) {
      next_refresh = std::chrono::steady_clock::now() + backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = std::chrono::milliseconds(1000);
    next_refresh = std::chrono::steady_clock::now() + options_.refresh_interval;
    if (tip && job->clean_jobs) {
      const double ms = std::chrono::duration<double, std::milli>(job->created_at - tip->noticed_at).count();
      {
        std::lock_guard lock(mutex_);
        last_tip_to_job_ms_ = ms;
      }
      spdlog::info("block {} announced by {}: new job ready {:.2f} ms after the notification", tip->hash.hex(),
                   tip->source == node::TipSource::kZmq    ? "ZMQ"
                   : tip->source == node::TipSource::kPoll ? "polling"
                                                           : "our own submission",
                   ms);
    }
  }
}

}  // namespace pool::mining
