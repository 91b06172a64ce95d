#include "accounting/block_ledger.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>

#include "bitcoin/hex.h"
#include "bitcoin/target.h"
#include "util/retry_schedule.h"

namespace pool::accounting {

BlockLedger::BlockLedger(store::Store& store, LedgerOptions options)
    : store_(store), options_(std::move(options)), spill_(options_.spill_path) {
  for (auto& block : spill_.load()) {
    spdlog::warn("blocks: block {} at height {} ({}) from the spill file {} is not in the database yet: storing it",
                 block.hash, block.height, block.status, spill_.path().string());
    const std::string hash = block.hash;
    order_.push_back(hash);
    entries_[hash] = Entry{std::move(block), ++next_version_};
  }
}

BlockLedger::~BlockLedger() { stop(); }

void BlockLedger::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void BlockLedger::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BlockLedger::record(const store::BlockRecord& block) {
  {
    std::lock_guard lock(mutex_);
    try {
      spill_.append(block);
    } catch (const std::exception& e) {
      spdlog::error("blocks: block {}: {} (kept in memory until the database has it)", block.hash, e.what());
    }
    if (!entries_.contains(block.hash)) order_.push_back(block.hash);
    entries_[block.hash] = Entry{block, ++next_version_};
  }
  wake_.notify_all();
}

std::vector<store::BlockRecord> BlockLedger::waiting() const {
  std::lock_guard lock(mutex_);
  std::vector<store::BlockRecord> out;
  for (const auto& hash : order_) out.push_back(entries_.at(hash).block);
  return out;
}

void BlockLedger::store_block(const store::BlockRecord& block) {
  store_.insert_block(block);  // false: already there (then only the status may move on)
  if (block.status != "found") store_.set_block_submitted(block.hash, block.status, block.submit_reason);
}

void BlockLedger::run() {
  util::RetrySchedule retry(options_.retry_initial, options_.retry_cap);
  bool waiting_to_retry = false;
  util::RetrySchedule::Clock::time_point next_try{};
  std::string last_error;
  while (true) {
    std::vector<Entry> todo;
    {
      std::unique_lock lock(mutex_);
      if (waiting_to_retry) {
        wake_.wait_until(lock, next_try, [&] { return stopping_; });
      } else {
        wake_.wait(lock, [&] { return stopping_ || !entries_.empty(); });
      }
      if (stopping_) return;
      for (const auto& hash : order_) todo.push_back(entries_.at(hash));
    }
    std::vector<Entry> stored;
    std::string error;
    for (const auto& entry : todo) {
      try {
        store_block(entry.block);
        stored.push_back(entry);
      } catch (const std::exception& e) {
        error = e.what();
        break;
      }
    }
    {
      std::lock_guard lock(mutex_);
      bool changed = false;
      for (const auto& entry : stored) {
        auto it = entries_.find(entry.block.hash);
        if (it == entries_.end() || it->second.version != entry.version) continue;  // a newer answer came meanwhile
        spdlog::info("blocks: block {} at height {} is in the database ({})", entry.block.hash, entry.block.height,
                     entry.block.status);
        entries_.erase(it);
        std::erase(order_, entry.block.hash);
        changed = true;
      }
      if (changed) {
        std::vector<store::BlockRecord> keep;
        for (const auto& hash : order_) keep.push_back(entries_.at(hash).block);
        try {
          spill_.rewrite(keep);
        } catch (const std::exception& e) {
          spdlog::error("blocks: {} (the blocks in it are stored; it is read again at start-up, harmlessly)", e.what());
        }
      }
    }
    if (!error.empty()) {
      ++store_failures_;
      const auto now = util::RetrySchedule::Clock::now();
      next_try = now + retry.failed(now);
      waiting_to_retry = true;
      if (error != last_error) {
        spdlog::error("blocks: cannot store {} found block(s) ({}); they are kept in {} and retried every {} ms or "
                      "less, without limit",
                      todo.size() - stored.size(), error, spill_.path().string(), options_.retry_cap.count());
      }
      last_error = error;
    } else {
      waiting_to_retry = false;
      if (!last_error.empty()) spdlog::info("blocks: database writable again; found blocks stored");
      last_error.clear();
      retry.succeeded();
    }
  }
}

void PipelineRecorder::before_submit(const mining::FoundBlock& found, const bitcoin::Block& block) {
  in_flight_ = found_block_record(found, block, scheme_);
  ledger_.record(*in_flight_);
}

void PipelineRecorder::after_submit(const mining::SubmitResult& result) {
  if (!in_flight_ || in_flight_->hash != result.hash.hex()) return;  // not assembled: nothing was found
  in_flight_->status = status_after_submit(result);
  in_flight_->submit_reason = result.reason;
  if (in_flight_->status == "pending") in_flight_->confirmations = result.in_best_chain ? 1 : 0;
  ledger_.record(*in_flight_);
  in_flight_.reset();
}

store::BlockRecord found_block_record(const mining::FoundBlock& found, const bitcoin::Block& block,
                                      const std::string& scheme) {
  store::BlockRecord b;
  b.hash = block.header.hash().hex();
  b.height = found.job->height;
  b.reward_sats = found.job->coinbase_value;
  b.finder = found.share.worker;
  b.finder_address = found.share.address;
  b.share_hash = found.share.hash.hex();
  b.status = "found";
  b.found_ms = std::chrono::duration_cast<std::chrono::milliseconds>(found.share.time.time_since_epoch()).count();
  b.network_difficulty = bitcoin::difficulty_from_bits(found.job->bits);
  b.scheme = scheme;
  b.header_hex = bitcoin::to_hex(block.header.serialize());
  b.block_hex = bitcoin::to_hex(block.serialize());
  return b;
}

std::string status_after_submit(const mining::SubmitResult& result) {
  switch (result.status) {
    case mining::SubmitStatus::kAccepted:
    case mining::SubmitStatus::kDuplicate:
    case mining::SubmitStatus::kInconclusive: return "pending";
    case mining::SubmitStatus::kRejected: return "rejected";
    case mining::SubmitStatus::kUnreachable: return "submitted";
  }
  return "submitted";
}

int resubmit_unsettled_blocks(BlockLedger* ledger, store::Store& store, node::BitcoinNode& node) {
  int answered = 0;
  std::set<std::string> seen;
  auto resubmit = [&](store::BlockRecord& b) {
    seen.insert(b.hash);
    if (b.block_hex.empty() || b.hash.size() != 64 || !bitcoin::is_hex(b.hash)) return false;
    spdlog::info("blocks: submitting block {} at height {} ({}) again", b.hash, b.height, b.status);
    const auto result = mining::submit_block_hex(node, b.block_hex, bitcoin::Uint256::from_hex(b.hash), b.height, 1);
    b.status = status_after_submit(result);
    b.submit_reason = result.reason;
    if (b.status == "submitted") return false;
    ++answered;
    return true;
  };
  if (ledger) {
    for (auto b : ledger->waiting()) {
      if (b.status != "found" && b.status != "submitted") continue;
      if (resubmit(b)) ledger->record(b);
    }
  }
  for (const char* status : {"found", "submitted"}) {
    for (auto b : store.blocks(std::string(status), 100000)) {
      if (seen.contains(b.hash)) continue;
      b.block_hex = store.block_hex(b.hash).value_or("");
      if (resubmit(b)) store.set_block_submitted(b.hash, b.status, b.submit_reason);
    }
  }
  return answered;
}

}  // namespace pool::accounting
