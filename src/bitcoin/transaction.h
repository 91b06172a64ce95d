#pragma once
// Transactions: the data model, serialization with and without witness, txid and wtxid.
#include <cstdint>
#include <vector>

#include "bitcoin/hex.h"
#include "bitcoin/serialize.h"
#include "bitcoin/uint256.h"

namespace pool::bitcoin {

struct OutPoint {
  Uint256 hash;
  uint32_t index = 0xffffffff;
  bool is_null() const { return hash.is_zero() && index == 0xffffffff; }
};

struct TxIn {
  OutPoint prevout;
  Bytes script_sig;
  uint32_t sequence = 0xffffffff;
  std::vector<Bytes> witness;  // the input's witness stack (empty when none)
};

struct TxOut {
  int64_t value = 0;  // satoshis
  Bytes script_pubkey;
};

/// A coinbase output counts as spendable in Bitcoin Core's wallet once its block is this deep
/// (COINBASE_MATURITY 100, so 101 confirmations); until then it is immature.
inline constexpr int64_t kCoinbaseSpendableDepth = 101;

/// A transaction as Bitcoin Core models it; owns its inputs and outputs.
struct Transaction {
  int32_t version = 2;
  std::vector<TxIn> inputs;
  std::vector<TxOut> outputs;
  uint32_t lock_time = 0;

  bool has_witness() const;
  bool is_coinbase() const { return inputs.size() == 1 && inputs[0].prevout.is_null(); }
  /// Serialization with the BIP144 marker/flag and witnesses when any input has one.
  Bytes serialize(bool with_witness = true) const;
  void serialize_to(ByteWriter& w, bool with_witness) const;
  /// The txid: sha256d of the serialization without witness.
  Uint256 txid() const;
  /// The wtxid: sha256d of the full serialization (equals txid when there is no witness).
  Uint256 wtxid() const;
  /// BIP141 weight: 3 * stripped size + total size.
  size_t weight() const;
  int64_t total_output_value() const;

  static Transaction parse(ByteReader& reader);
  static Transaction from_bytes(std::span<const uint8_t> data);
  static Transaction from_hex(std::string_view hex);
};

}  // namespace pool::bitcoin
