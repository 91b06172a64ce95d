#pragma once
// What a Stratum session needs from the rest of the pool, as an interface so the protocol logic
// runs in tests without sockets or a node.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bitcoin/network.h"
#include "bitcoin/uint256.h"
#include "mining/block_assembler.h"
#include "mining/accepted_share.h"
#include "mining/job.h"

namespace pool::stratum {

using AcceptedShare = mining::AcceptedShare;

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual mining::JobPtr find_job(const std::string& id) = 0;
  virtual mining::JobPtr current_job() = 0;
  virtual bitcoin::Network network() const = 0;
  /// The extranonce1 (hex) for a subscribing session: `requested` (a session id from an earlier
  /// connection) when it is free and well-formed, otherwise a fresh one.
  virtual std::string claim_extranonce1(const std::string& requested) = 0;
  /// Returns an extranonce1 to the pool (after mining.set_extranonce gave the miner a new one).
  virtual void release_extranonce1(const std::string& extranonce1) = 0;
  /// SOLO mode: the job rebuilt so its coinbase pays `payout_script` (same template, same
  /// merkle branch, a new id unique to this miner).
  virtual mining::JobPtr personalize(const mining::JobPtr& base, const bitcoin::Bytes& payout_script,
                                     const std::string& id_suffix) = 0;
  /// A share met the network target: build and submit the block now, before anything else.
  virtual void submit_block(const mining::JobPtr& job, const mining::Solution& solution, const AcceptedShare& share) = 0;
  /// A rejected share, for worker statistics and monitoring (`reason` is the error text sent).
  virtual void share_rejected(const std::string& worker, int code, const std::string& reason) = 0;
  /// Takes one use of worker `name` for payout `address` across all connections. False when the
  /// address already runs as many distinct workers as the pool allows (the default allows all).
  virtual bool claim_worker(const std::string& address, const std::string& name) {
    (void)address;
    (void)name;
    return true;
  }
  /// Gives back a use taken by claim_worker (the session closed).
  virtual void release_worker(const std::string& address, const std::string& name) {
    (void)address;
    (void)name;
  }
  /// How many distinct workers one address may run, for the refusal message (0 = unlimited).
  virtual size_t max_workers_per_address() const { return 0; }
  /// Monotonic seconds.
  virtual double now() = 0;
  /// Wall-clock Unix time.
  virtual uint32_t unix_time() = 0;
};

}  // namespace pool::stratum
