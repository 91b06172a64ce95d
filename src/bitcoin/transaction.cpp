#include "bitcoin/transaction.h"

#include "bitcoin/sha256.h"

namespace pool::bitcoin {

bool Transaction::has_witness() const {
  for (const auto& in : inputs) {
    if (!in.witness.empty()) return true;
  }
  return false;
}

void Transaction::serialize_to(ByteWriter& w, bool with_witness) const {
  const bool witness = with_witness && has_witness();
  w.i32le(version);
  if (witness) {
    w.u8(0x00);  // marker
    w.u8(0x01);  // flag
  }
  w.compact_size(inputs.size());
  for (const auto& in : inputs) {
    w.hash(in.prevout.hash);
    w.u32le(in.prevout.index);
    w.var_bytes(in.script_sig);
    w.u32le(in.sequence);
  }
  w.compact_size(outputs.size());
  for (const auto& out : outputs) {
    w.i64le(out.value);
    w.var_bytes(out.script_pubkey);
  }
  if (witness) {
    for (const auto& in : inputs) {
      w.compact_size(in.witness.size());
      for (const auto& item : in.witness) w.var_bytes(item);
    }
  }
  w.u32le(lock_time);
}

Bytes Transaction::serialize(bool with_witness) const {
  ByteWriter w(256);
  serialize_to(w, with_witness);
  return w.take();
}

Uint256 Transaction::txid() const { return sha256d(serialize(false)); }
Uint256 Transaction::wtxid() const { return sha256d(serialize(true)); }

size_t Transaction::weight() const {
  return serialize(false).size() * 3 + serialize(true).size();
}

int64_t Transaction::total_output_value() const {
  int64_t sum = 0;
  for (const auto& out : outputs) sum += out.value;
  return sum;
}

Transaction Transaction::parse(ByteReader& r) {
  Transaction tx;
  tx.version = r.i32le();
  uint64_t n_in = r.compact_size();
  bool witness = false;
  if (n_in == 0) {
    // Either a BIP144 marker (0x00) followed by flag 0x01, or a transaction with no inputs.
    const uint8_t flag = r.u8();
    if (flag != 0x01) throw DeserializeError("unknown transaction serialization flag");
    witness = true;
    n_in = r.compact_size();
  }
  tx.inputs.resize(n_in);
  for (auto& in : tx.inputs) {
    in.prevout.hash = r.hash();
    in.prevout.index = r.u32le();
    in.script_sig = r.var_bytes();
    in.sequence = r.u32le();
  }
  tx.outputs.resize(r.compact_size());
  for (auto& out : tx.outputs) {
    out.value = r.i64le();
    out.script_pubkey = r.var_bytes();
  }
  if (witness) {
    for (auto& in : tx.inputs) {
      in.witness.resize(r.compact_size());
      for (auto& item : in.witness) item = r.var_bytes();
    }
    if (!tx.has_witness()) throw DeserializeError("superfluous witness record");
  }
  tx.lock_time = r.u32le();
  return tx;
}

Transaction Transaction::from_bytes(std::span<const uint8_t> data) {
  ByteReader r(data);
  Transaction tx = parse(r);
  if (!r.empty()) throw DeserializeError("trailing bytes after transaction");
  return tx;
}

Transaction Transaction::from_hex(std::string_view hex) { return from_bytes(pool::bitcoin::from_hex(hex)); }

}  // namespace pool::bitcoin
