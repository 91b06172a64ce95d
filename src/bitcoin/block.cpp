#include "bitcoin/block.h"

#include <algorithm>

#include "bitcoin/sha256.h"

namespace pool::bitcoin {

std::array<uint8_t, BlockHeader::kSize> BlockHeader::serialize() const {
  std::array<uint8_t, kSize> out{};
  write_le32(out.data(), static_cast<uint32_t>(version));
  std::copy(prev_hash.data(), prev_hash.data() + 32, out.data() + 4);
  std::copy(merkle_root.data(), merkle_root.data() + 32, out.data() + 36);
  write_le32(out.data() + 68, time);
  write_le32(out.data() + 72, bits);
  write_le32(out.data() + 76, nonce);
  return out;
}

BlockHeader BlockHeader::parse(ByteReader& r) {
  BlockHeader h;
  h.version = r.i32le();
  h.prev_hash = r.hash();
  h.merkle_root = r.hash();
  h.time = r.u32le();
  h.bits = r.u32le();
  h.nonce = r.u32le();
  return h;
}

BlockHeader BlockHeader::from_bytes(std::span<const uint8_t> data) {
  if (data.size() != kSize) throw DeserializeError("a block header is 80 bytes");
  ByteReader r(data);
  return parse(r);
}

Uint256 BlockHeader::hash() const {
  const auto raw = serialize();
  return sha256d(raw);
}

Bytes Block::serialize(bool with_witness) const {
  ByteWriter w(1024);
  w.bytes(header.serialize());
  w.compact_size(transactions.size());
  for (const auto& tx : transactions) tx.serialize_to(w, with_witness);
  return w.take();
}

Block Block::from_bytes(std::span<const uint8_t> data) {
  ByteReader r(data);
  Block b;
  b.header = BlockHeader::parse(r);
  b.transactions.resize(r.compact_size());
  for (auto& tx : b.transactions) tx = Transaction::parse(r);
  if (!r.empty()) throw DeserializeError("trailing bytes after block");
  return b;
}

Block Block::from_hex(std::string_view hex) { return from_bytes(pool::bitcoin::from_hex(hex)); }

size_t Block::weight() const { return serialize(false).size() * 3 + serialize(true).size(); }

}  // namespace pool::bitcoin
