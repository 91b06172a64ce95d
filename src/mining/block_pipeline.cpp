#include "mining/block_pipeline.h"

#include <spdlog/spdlog.h>

#include "util/text.h"

namespace pool::mining {

BlockPipeline::BlockPipeline(node::BitcoinNode& node, Outcome on_outcome)
    : node_(node), on_outcome_(std::move(on_outcome)), thread_([this] { run(); }) {}

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
    try {
      const bitcoin::Block block = assemble_block(*found.job, found.solution);
      spdlog::info("BLOCK candidate at height {} from {} (hash {}): submitting", found.job->height,
                   util::printable(found.share.worker),
                   block.header.hash().hex());
      result = submit_block(node_, block, found.job->height);
    } catch (const std::exception& e) {
      result.status = SubmitStatus::kRejected;
      result.reason = std::string("could not assemble the block: ") + e.what();
      spdlog::error("BLOCK at height {}: {}", found.job->height, result.reason);
    }
    if (on_outcome_) on_outcome_(found, result);
  }
}

}  // namespace pool::mining
