#include "mining/block_pipeline.h"

#include <spdlog/spdlog.h>

#include "util/text.h"
#include <optional>

namespace pool::mining {

BlockPipeline::BlockPipeline(node::BitcoinNode& node, BeforeSubmit before_submit, Outcome on_outcome)
    : node_(node),
      before_submit_(std::move(before_submit)),
      on_outcome_(std::move(on_outcome)),
      thread_([this] { run(); }) {}

BlockPipeline::~BlockPipeline() { stop(); }

void BlockPipeline::submit(FoundBlock block) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(block));
  }
  cv_.notify_one();
}

void BlockPipeline::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void BlockPipeline::run() {
  while (true) {
    FoundBlock found;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      found = std::move(queue_.front());
      queue_.pop_front();
    }
    SubmitResult result;
    std::optional<bitcoin::Block> block;
    try {
      block = assemble_block(*found.job, found.solution);
    } catch (const std::exception& e) {
      result.status = SubmitStatus::kRejected;
      result.reason = std::string("could not assemble the block: ") + e.what();
      spdlog::error("BLOCK at height {}: {}", found.job->height, result.reason);
    }
    if (block) {
      try {
        if (before_submit_) before_submit_(found, *block);
      } catch (const std::exception& e) {
        spdlog::error("BLOCK at height {}: could not keep it durably ({}); submitting it anyway", found.job->height,
                      e.what());
      }
      spdlog::info("BLOCK candidate at height {} from {} (hash {}): submitting", found.job->height, util::printable(found.share.worker),
                   block->header.hash().hex());
      result = submit_block(node_, *block, found.job->height);
    }
    if (on_outcome_) on_outcome_(found, result);
  }
}

}  // namespace pool::mining
