#pragma once
// Submits a solved block to the node, interprets the answer and confirms it is in the best chain.
#include <string>

#include "bitcoin/block.h"
#include "node/bitcoin_node.h"

namespace pool::mining {

enum class SubmitStatus {
  kAccepted,      // submitblock returned null and getblockhash(height) is our block
  kDuplicate,     // the node already had it
  kInconclusive,  // accepted but not (yet) on the best chain
  kRejected,      // the node rejected it; reason holds Core's string, e.g. "bad-txnmrklroot"
  kUnreachable,   // the node could not be reached after retries
};

struct SubmitResult {
  SubmitStatus status = SubmitStatus::kUnreachable;
  std::string reason;
  bitcoin::Uint256 hash;
  int64_t height = 0;
  bool in_best_chain = false;
};

std::string_view submit_status_name(SubmitStatus status);

/// Maps submitblock's answer to a status (pure).
SubmitStatus interpret_submit_answer(const std::optional<std::string>& answer);

/// Submits `block` (expected at `height`), retrying transport failures up to `attempts` times,
/// then confirms with getblockhash(height).
SubmitResult submit_block(node::BitcoinNode& node, const bitcoin::Block& block, int64_t height, int attempts = 5);
/// The same for a block already serialized (a block submitted again after a crash or an outage;
/// submitblock is idempotent: "duplicate" and "inconclusive" are answers, not errors).
SubmitResult submit_block_hex(node::BitcoinNode& node, const std::string& hex, const bitcoin::Uint256& hash,
                              int64_t height, int attempts = 5);

}  // namespace pool::mining
