#pragma once
// The coinbase output that commits a found block's PPLNS window on-chain: OP_RETURN with one
// 36-byte push, the 4 bytes "PPLN" followed by the 32-byte Merkle root of the window (the root's
// bytes as hashed, internal order). Written by the coinbase builder, read back by accounting (to
// learn which found block's window a block of ours carried) and by miners' verifiers.
#include <array>
#include <cstdint>
#include <optional>

#include "bitcoin/transaction.h"
#include "bitcoin/uint256.h"

namespace pool::mining {

inline constexpr std::array<uint8_t, 4> kWindowCommitmentMagic{'P', 'P', 'L', 'N'};

/// OP_RETURN PUSH36 "PPLN" || root: 38 bytes.
bitcoin::Bytes window_commitment_script(const bitcoin::Uint256& root);

/// The root committed by `script` if it is exactly a window commitment output script.
std::optional<bitcoin::Uint256> parse_window_commitment(const bitcoin::Bytes& script);

/// The root of the first window commitment output of `coinbase`, if it has one.
std::optional<bitcoin::Uint256> find_window_commitment(const bitcoin::Transaction& coinbase);

}  // namespace pool::mining
