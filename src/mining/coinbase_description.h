#pragma once
// What a job's coinbase pays and commits to, decoded for people and miner firmware: every output
// with its value, address (when it is a standard payout script) and role, and the operator tag
// from the scriptSig. Pure: no I/O. GET /api/job serves it.
#include <optional>
#include <string>
#include <vector>

#include "bitcoin/network.h"
#include "bitcoin/transaction.h"
#include "mining/job.h"

namespace pool::mining {

/// One coinbase output, decoded.
struct CoinbaseOutputInfo {
  size_t index = 0;
  int64_t value = 0;  // satoshis
  bitcoin::Bytes script_pubkey;
  std::optional<std::string> address;  // for P2PKH, P2SH, P2WPKH, P2WSH and P2TR scripts
  /// "pool_reward" (output 0 under PPLNS), "miner_reward" (output 0 under SOLO),
  /// "window_commitment", "witness_commitment", or "other" (never written by this pool).
  std::string role;
  std::optional<bitcoin::Uint256> window_root;  // set for the window commitment
};

/// A coinbase transaction, decoded.
struct CoinbaseDescription {
  std::vector<CoinbaseOutputInfo> outputs;
  std::string tag;     // the scriptSig's third push (after height and extranonce); may be empty
  int64_t total_sats = 0;
};

/// Decodes `coinbase` as this pool lays it out (docs/miner-guide.md, "Coinbase layout"): output
/// 0 is the reward (role by `solo`), commitments are recognised by their scripts.
CoinbaseDescription describe_coinbase(const bitcoin::Transaction& coinbase, bitcoin::Network network, bool solo);

/// The job's coinbase transaction (without witness) with all-zero extranonces.
bitcoin::Transaction job_coinbase(const Job& job);

}  // namespace pool::mining
