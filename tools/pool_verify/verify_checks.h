#pragma once
// pool-verify's checks of one proof (GET /api/blocks/{hash}/proof/{address}) against the
// contract and against the miner's own Bitcoin Core node: leaf hashes from their fields, paths
// to the root, weights, the credit and its rounding, the on-chain commitment, the block's reward
// and the payments. Each check adds one line; the node is reached through a callback so the
// checks can be driven without a node.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "bitcoin/network.h"

namespace pool::verify {

/// The lines of a verification, printed as they come ("ok  name: detail" / "FAIL name: why").
class Report {
 public:
  explicit Report(std::ostream& out) : out_(out) {}
  void ok(const std::string& check, const std::string& detail);
  void fail(const std::string& check, const std::string& why);
  bool passed() const { return failures_ == 0 && checks_ > 0; }
  int failures() const { return failures_; }

 private:
  std::ostream& out_;
  int checks_ = 0;
  int failures_ = 0;
};

/// Calls the node: method and JSON array of parameters; returns the result; throws on an error.
using NodeCall = std::function<rapidjson::Document(const std::string& method, const std::string& params)>;

/// The proof's own arithmetic: fields present, each leaf's hash from its fields (v1 encoding),
/// each path folded to `root`, address_weight = sum of the leaves, fee, distributable and the
/// credit recomputed. Needs no node.
void check_proof(const rapidjson::Value& proof, const std::string& address, Report& report);

/// Fetches one page of GET /api/blocks/{hash}/window (offset, limit); throws on an error.
using WindowPage = std::function<rapidjson::Document(int64_t offset, int64_t limit)>;

/// The whole window, page by page: every leaf's hash from its fields, the root of all leaf hashes
/// equal to the proof's root, and the sum of all weights equal to total_weight — so a pool cannot
/// inflate total_weight (which no single address's paths cover) to shrink a credit. The
/// address's leaves in the window are the proof's.
void check_window(const rapidjson::Value& proof, const WindowPage& page, Report& report);

/// The proven block's coinbase pays reward_sats in all, and the commitment: the block that
/// carries the root is in the best chain, its coinbase's txid is commitment_txid and it has the
/// OP_RETURN "PPLN"||root output. Not committed yet: one FAIL line saying so.
void check_chain(const rapidjson::Value& proof, const NodeCall& node, Report& report);

/// Each payment: its transaction found through the node (getrawtransaction, then the wallet's
/// gettransaction), an output paying `address` worth the item's sats less its fee share.
void check_payments(const rapidjson::Value& proof, const std::string& address, bitcoin::Network network,
                    const NodeCall& node, Report& report);

}  // namespace pool::verify
