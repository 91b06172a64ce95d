#pragma once
// From a job and a miner's solution (extranonces, ntime, nonce, version) to the header a share
// is judged by, and to the full block Bitcoin Core accepts.
#include <span>

#include "bitcoin/block.h"
#include "mining/job.h"

namespace pool::mining {

/// What a miner submits for a job, in numeric form.
struct Solution {
  bitcoin::Bytes extranonce1;
  bitcoin::Bytes extranonce2;
  uint32_t ntime = 0;
  uint32_t nonce = 0;
  int32_t version = 0;  // the full version after any rolling
};

/// coinb1 || extranonce1 || extranonce2 || coinb2 (the coinbase without witness).
bitcoin::Bytes coinbase_bytes(const Job& job, std::span<const uint8_t> extranonce1, std::span<const uint8_t> extranonce2);

/// The 80-byte header the solution describes.
bitcoin::BlockHeader solution_header(const Job& job, const Solution& solution);

/// The whole block: header, coinbase (with the witness reserved value when the coinbase commits
/// to witnesses), then the template's transactions in template order.
bitcoin::Block assemble_block(const Job& job, const Solution& solution);

}  // namespace pool::mining
