#pragma once
// The miner's side of Stratum v1 work, written from the protocol (not from the pool's code) so
// tests, the load generator and the CPU miner check the pool independently: parse
// mining.notify, build the header for an extranonce2/ntime/nonce/version, and scan nonces.
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bitcoin/hex.h"
#include "bitcoin/target.h"

namespace pool::minerlib {

/// One mining.notify, decoded.
struct MinerJob {
  std::string job_id;
  bitcoin::Bytes prevhash;  // header order (each 4-byte word of the notify field reversed)
  bitcoin::Bytes coinb1, coinb2;
  std::vector<bitcoin::Bytes> branches;
  uint32_t version = 0, nbits = 0, ntime = 0;
  bool clean = false;
};

/// Decodes mining.notify params. Throws std::invalid_argument naming the bad field.
MinerJob parse_notify(const rapidjson::Value& params);

/// The 80-byte header for this job and solution (nonce/ntime/version as numbers).
std::array<uint8_t, 80> build_header(const MinerJob& job, const bitcoin::Bytes& extranonce1,
                                     const bitcoin::Bytes& extranonce2, uint32_t ntime, uint32_t nonce, uint32_t version);

/// Scans `count` nonces from `start`; returns the first whose header hash meets `target`.
std::optional<uint32_t> scan_nonces(const std::array<uint8_t, 80>& header, const bitcoin::Target& target,
                                    uint32_t start, uint32_t count, uint64_t* hashes_done = nullptr);

/// The mining.submit line for a solution (ids and worker as given). version_bits is appended
/// when non-zero.
std::string submit_line(const std::string& id_json, const std::string& worker, const MinerJob& job,
                        const bitcoin::Bytes& extranonce2, uint32_t ntime, uint32_t nonce, uint32_t version_bits);

}  // namespace pool::minerlib
