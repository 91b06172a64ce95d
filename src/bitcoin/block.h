#pragma once
// Block headers and blocks: serialization exactly as Bitcoin Core writes them, and the block hash.
#include <array>
#include <cstdint>
#include <vector>

#include "bitcoin/transaction.h"

namespace pool::bitcoin {

/// The 80-byte block header.
struct BlockHeader {
  int32_t version = 0;
  Uint256 prev_hash;
  Uint256 merkle_root;
  uint32_t time = 0;
  uint32_t bits = 0;
  uint32_t nonce = 0;

  static constexpr size_t kSize = 80;
  std::array<uint8_t, kSize> serialize() const;
  static BlockHeader parse(ByteReader& reader);
  static BlockHeader from_bytes(std::span<const uint8_t> data);
  /// sha256d of the serialized header (display with .hex()).
  Uint256 hash() const;
};

/// A block: header plus transactions, the first of which is the coinbase.
struct Block {
  BlockHeader header;
  std::vector<Transaction> transactions;

  Bytes serialize(bool with_witness = true) const;
  static Block from_bytes(std::span<const uint8_t> data);
  static Block from_hex(std::string_view hex);
  size_t weight() const;
};

}  // namespace pool::bitcoin
