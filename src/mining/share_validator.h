#pragma once
// Judges a miner's solution for a job: rebuilds the header, hashes it and compares it with the
// share target and the network target. Pure; the Stratum side checks the parameters first.
#include "bitcoin/block.h"
#include "bitcoin/target.h"
#include "mining/block_assembler.h"

namespace pool::mining {

struct ShareCheck {
  bitcoin::BlockHeader header;
  bitcoin::Uint256 hash;
  bool meets_share_target = false;
  bool meets_network_target = false;  // a block
  double hash_difficulty = 0;         // what the hash actually achieved (for best-share stats)
};

/// Hashes the solution's header and compares it with both targets.
ShareCheck check_share(const Job& job, const Solution& solution, const bitcoin::Target& share_target);

/// The full header version for a share: the job's version with the negotiated rolling bits
/// replaced by the miner's (BIP310). `version_bits` may be just the rolled bits or the whole rolled
/// version. Returns false when the miner changed bits outside `mask`.
bool rolled_version(int32_t job_version, uint32_t version_bits, uint32_t mask, int32_t* out);

}  // namespace pool::mining
