#pragma once
// Script building: minimal data pushes and integer pushes as Bitcoin Core's CScript writes them.
#include <cstdint>
#include <span>

#include "bitcoin/hex.h"

namespace pool::bitcoin {

inline constexpr uint8_t OP_0 = 0x00;
inline constexpr uint8_t OP_PUSHDATA1 = 0x4c;
inline constexpr uint8_t OP_PUSHDATA2 = 0x4d;
inline constexpr uint8_t OP_1NEGATE = 0x4f;
inline constexpr uint8_t OP_1 = 0x51;
inline constexpr uint8_t OP_RETURN = 0x6a;
inline constexpr uint8_t OP_DUP = 0x76;
inline constexpr uint8_t OP_EQUAL = 0x87;
inline constexpr uint8_t OP_EQUALVERIFY = 0x88;
inline constexpr uint8_t OP_HASH160 = 0xa9;
inline constexpr uint8_t OP_CHECKSIG = 0xac;

/// Appends a push of `data` using the smallest opcode (direct push, PUSHDATA1/2/4).
void script_push_data(Bytes& script, std::span<const uint8_t> data);

/// CScriptNum serialization of n (little-endian, sign bit in the top byte, minimal).
Bytes script_num_bytes(int64_t n);

/// Appends n as CScript::push_int64 does: OP_0, OP_1NEGATE, OP_1..OP_16, else a number push.
void script_push_int(Bytes& script, int64_t n);

/// The BIP34 prefix a coinbase scriptSig must start with for `height` (CScript() << height).
Bytes bip34_height_script(int64_t height);

}  // namespace pool::bitcoin
