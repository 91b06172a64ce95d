#pragma once
// A unit of work sent to miners: the coinbase split around the extranonce, the merkle branch
// and the header fields, plus the Stratum-ready hex strings computed once per job.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bitcoin/hex.h"
#include "bitcoin/target.h"
#include "bitcoin/uint256.h"
#include "mining/job_seen_set.h"
#include "node/block_template.h"

namespace pool::mining {

/// Text built on first use by whichever thread asks first, then shared by every caller
/// (mining.get_transactions' answer: the template's transactions hex-encoded once per job).
/// Thread-safe.
class LazySharedText {
 public:
  template <class Build>
  std::shared_ptr<const std::string> get(Build&& build) const {
    std::call_once(once_, [&] {
      text_ = std::make_shared<const std::string>(build());
      ++builds_;
    });
    return text_;
  }
  /// How many times the text was built (at most once; for tests).
  int builds() const { return builds_; }

 private:
  mutable std::once_flag once_;
  mutable std::shared_ptr<const std::string> text_;
  mutable std::atomic<int> builds_{0};
};

/// The template-wide part of a job: everything that does not depend on the payout script.
/// build_job computes it once; every personal SOLO job made from the same base job points at
/// the same one (personalize_job), so thousands of sessions never redo the merkle work.
struct JobWork {
  std::vector<bitcoin::Uint256> merkle_branch;  // siblings of the coinbase over the template's txids
  bitcoin::Bytes witness_commitment;            // BIP141 commitment script; empty when segwit is inactive
  std::vector<std::string> merkle_branch_hex;   // 64 hex digits each, internal byte order
  std::string merkle_branch_json;               // the same as mining.notify's array: ["…","…"]
};

/// Immutable once built (except its seen-set); shared between sessions by shared_ptr<const Job>.
struct Job {
  std::string id;  // short hex, unique per process run
  std::shared_ptr<const node::BlockTemplate> block_template;
  std::shared_ptr<const JobWork> work;  // never null in a built job
  bitcoin::Bytes payout_script;         // what the coinbase's first output pays (all of coinbase_value)
  std::optional<bitcoin::Uint256> window_commitment;  // the PPLNS root output 1 carries, if any
  bitcoin::Bytes coinb1;  // coinbase (no witness) up to the extranonce
  bitcoin::Bytes coinb2;  // coinbase after the extranonce
  size_t extranonce1_size = 4;
  size_t extranonce2_size = 8;
  bool has_witness_commitment = false;  // coinbase needs the witness reserved value in a block
  int32_t version = 0;
  uint32_t bits = 0;
  uint32_t ntime = 0;
  uint32_t min_time = 0;
  bitcoin::Uint256 prev_hash;
  int64_t height = 0;
  int64_t coinbase_value = 0;
  bitcoin::Target network_target;
  bool clean_jobs = false;  // true for the first job on a new tip
  std::chrono::steady_clock::time_point created_at;
  std::chrono::system_clock::time_point created_wall;

  // Stratum mining.notify fields, exact-width hex (the merkle branch is in `work`).
  std::string prevhash_hex;  // 64 digits, word-swapped as Stratum sends it
  std::string coinb1_hex;
  std::string coinb2_hex;
  std::string version_hex;  // 8 digits, big-endian
  std::string bits_hex;
  std::string ntime_hex;

  /// The encoded transaction list for mining.get_transactions, built once per template (SOLO
  /// jobs personalized from this one share it).
  std::shared_ptr<const LazySharedText> transactions_encoding = std::make_shared<const LazySharedText>();
  /// The shares submitted for this job by any session, so each is credited once. Every job on
  /// one tip shares one set (JobManager), and a SOLO job built for one miner points at its base
  /// job's set.
  std::shared_ptr<JobSeenSet> seen = std::make_shared<JobSeenSet>();
  const std::vector<bitcoin::Uint256>& merkle_branch() const { return work->merkle_branch; }
};

using JobPtr = std::shared_ptr<const Job>;

/// The previous-block hash in Stratum's notify order: internal bytes with every 4-byte word
/// reversed (what miners byte-swap back into the header).
std::string stratum_prevhash(const bitcoin::Uint256& prev_hash);

}  // namespace pool::mining
