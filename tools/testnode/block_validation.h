#pragma once
// Context-free block checks, as Bitcoin Core's CheckBlockHeader and CheckBlock do them.
#include <string>

#include "bitcoin/block.h"

namespace pool::testnode {

/// "" when the block passes, else Core's reject reason (high-hash, bad-txnmrklroot, ...).
std::string check_block_context_free(const bitcoin::Block& block);

/// BIP141 witness checks: bad-witness-nonce-size, bad-witness-merkle-match, unexpected-witness.
std::string check_witness_commitment(const bitcoin::Block& block);

/// True when the transaction is final at `height` with `median_time_past` (Core's IsFinalTx).
bool is_final_tx(const bitcoin::Transaction& tx, int64_t height, uint32_t median_time_past);

inline constexpr int64_t kMaxMoney = 21000000LL * 100000000LL;
inline constexpr size_t kMaxBlockWeight = 4000000;

}  // namespace pool::testnode
