#pragma once
// The path of a found block, off the network threads: assemble it, hand it to `before_submit`
// (which makes it durable: the spill file, then the database), submit it to the node, confirm it,
// and report the outcome (for logging and recording). Blocks are handled in the order found, on
// one dedicated thread with its own node connection.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "mining/block_assembler.h"
#include "mining/block_submitter.h"
#include "mining/accepted_share.h"

namespace pool::mining {

struct FoundBlock {
  JobPtr job;
  Solution solution;
  AcceptedShare share;
};

/// Owns the submission thread and its queue.
class BlockPipeline {
 public:
  using Outcome = std::function<void(const FoundBlock&, const SubmitResult&)>;
  /// Called with the assembled block before submitblock; it must not wait for a database.
  using BeforeSubmit = std::function<void(const FoundBlock&, const bitcoin::Block&)>;
  BlockPipeline(node::BitcoinNode& node, BeforeSubmit before_submit, Outcome on_outcome);
  ~BlockPipeline();
  BlockPipeline(const BlockPipeline&) = delete;
  BlockPipeline& operator=(const BlockPipeline&) = delete;

  /// Queues a block; returns at once.
  void submit(FoundBlock block);
  /// Waits until every queued block has been submitted, then stops the thread.
  void stop();

 private:
  void run();
  node::BitcoinNode& node_;
  BeforeSubmit before_submit_;
  Outcome on_outcome_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<FoundBlock> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pool::mining
