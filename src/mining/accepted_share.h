#pragma once
// A share the pool accepted: who earns it, at what difficulty, for which block height. This is
// what accounting records.
#include <chrono>
#include <string>

#include "bitcoin/hex.h"
#include "bitcoin/uint256.h"

namespace pool::mining {

/// Value type; copied into the share log.
struct AcceptedShare {
  std::string address;  // payout address (the username before the first '.')
  std::string worker;   // the full username, "address.worker"
  bitcoin::Bytes payout_script;
  double difficulty = 0;       // credited difficulty (the job's share difficulty)
  double hash_difficulty = 0;  // what the hash achieved
  int64_t height = 0;
  std::string job_id;
  bitcoin::Uint256 hash;
  bool is_block = false;
  std::chrono::system_clock::time_point time;
  std::string remote;  // the miner's IP
};

}  // namespace pool::mining
