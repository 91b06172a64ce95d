#pragma once
// Found blocks on their way into the database. `record` writes a block (and later the node's
// answer) to the fsync'd spill file at once and keeps it in memory; a thread of its own stores it
// in the database, retrying without limit (doubling back-off) while the database is down, and
// drops it from the spill file only once it is stored. Block submission never waits for the
// database. At start-up the spill file is read back, so nothing written to it is lost.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "accounting/block_spill.h"
#include "mining/block_pipeline.h"
#include "node/bitcoin_node.h"
#include "store/store.h"

namespace pool::accounting {

struct LedgerOptions {
  std::filesystem::path spill_path = "found-blocks.spill";
  std::chrono::milliseconds retry_initial{200};  // first wait after a failed write, doubling...
  std::chrono::milliseconds retry_cap{30000};    // ...up to this, for as long as it takes
};

/// Owns the spill file, the blocks not yet stored, and the thread that stores them.
class BlockLedger {
 public:
  /// Reads the spill file back (blocks a previous run could not store). Call start() to store.
  BlockLedger(store::Store& store, LedgerOptions options);
  ~BlockLedger();
  BlockLedger(const BlockLedger&) = delete;
  BlockLedger& operator=(const BlockLedger&) = delete;

  void start();
  /// Stops the thread; blocks not stored yet stay in the spill file for the next start.
  void stop();

  /// Keeps `block` (every field, with its current status): spill file first, then memory. Never
  /// throws and never waits for the database (a spill file that cannot be written is logged).
  void record(const store::BlockRecord& block);
  /// Blocks not yet in the database with their latest status (block_hex included).
  std::vector<store::BlockRecord> waiting() const;
  /// Failed database writes so far (each is retried).
  uint64_t store_failures() const { return store_failures_; }
  const std::filesystem::path& spill_path() const { return spill_.path(); }

 private:
  struct Entry {
    store::BlockRecord block;
    uint64_t version = 0;
  };
  void run();
  void store_block(const store::BlockRecord& block);

  store::Store& store_;
  LedgerOptions options_;
  mutable std::mutex mutex_;  // entries_, order_ and the spill file
  std::condition_variable wake_;
  BlockSpill spill_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> order_;  // hashes in the order found
  uint64_t next_version_ = 0;
  bool stopping_ = false;
  std::atomic<uint64_t> store_failures_{0};
  std::thread thread_;
};

/// Connects BlockPipeline to a ledger: the block before submitblock, the node's answer after.
/// Called on the pipeline's one thread only.
class PipelineRecorder {
 public:
  PipelineRecorder(BlockLedger& ledger, std::string scheme) : ledger_(ledger), scheme_(std::move(scheme)) {}
  void before_submit(const mining::FoundBlock& found, const bitcoin::Block& block);
  void after_submit(const mining::SubmitResult& result);

 private:
  BlockLedger& ledger_;
  std::string scheme_;
  std::optional<store::BlockRecord> in_flight_;
};

/// The record of a block the pool found, status `found` (before it goes to the node).
store::BlockRecord found_block_record(const mining::FoundBlock& found, const bitcoin::Block& block,
                                      const std::string& scheme);
/// The status the node's answer leads to: pending (accepted, duplicate, inconclusive), rejected,
/// or submitted (the node could not be reached: to be submitted again).
std::string status_after_submit(const mining::SubmitResult& result);

/// Submits again every block that was found but not settled: those waiting in `ledger` (when
/// given) and those in the store with status found or submitted. submitblock is idempotent. The
/// answers are recorded (through the ledger when given). Returns how many got an answer.
int resubmit_unsettled_blocks(BlockLedger* ledger, store::Store& store, node::BitcoinNode& node);

}  // namespace pool::accounting
