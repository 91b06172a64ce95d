#pragma once
// Bitcoin Core's dust rule (policy/policy.cpp GetDustThreshold at the default dust relay fee of
// 3 sat/vB): an output worth less than what spending it would cost is not relayed. P2PKH 546,
// P2SH 540, P2WPKH 294, P2WSH and P2TR 330 satoshis. Pure computation.
#include <cstdint>

#include "bitcoin/hex.h"

namespace pool::bitcoin {

/// Core's DUST_RELAY_TX_FEE, in satoshis per 1,000 virtual bytes.
inline constexpr int64_t kDustRelayFeePerKvb = 3000;

/// True for a segwit output script: OP_0 or OP_1..OP_16 followed by one push of 2..40 bytes.
bool is_witness_program(const Bytes& script_pubkey);

/// The smallest value an output paying `script_pubkey` may carry without being dust: the cost at
/// the dust relay fee of the output plus the input that would spend it.
int64_t dust_limit(const Bytes& script_pubkey);

}  // namespace pool::bitcoin
