#include "bitcoin/serialize.h"

namespace pool::bitcoin {

void ByteWriter::u32le(uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::u64le(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::compact_size(uint64_t n) {
  if (n < 0xfd) {
    u8(static_cast<uint8_t>(n));
  } else if (n <= 0xffff) {
    u8(0xfd);
    u8(static_cast<uint8_t>(n));
    u8(static_cast<uint8_t>(n >> 8));
  } else if (n <= 0xffffffff) {
    u8(0xfe);
    u32le(static_cast<uint32_t>(n));
  } else {
    u8(0xff);
    u64le(n);
  }
}

void ByteWriter::var_bytes(std::span<const uint8_t> data) {
  compact_size(data.size());
  bytes(data);
}

size_t compact_size_length(uint64_t n) noexcept {
  if (n < 0xfd) return 1;
  if (n <= 0xffff) return 3;
  if (n <= 0xffffffff) return 5;
  return 9;
}

void ByteReader::need(size_t n, const char* what) const {
  if (remaining() < n) {
    throw DeserializeError(std::string("truncated data reading ") + what + " at offset " +
                           std::to_string(pos_) + ": need " + std::to_string(n) + " bytes, have " +
                           std::to_string(remaining()));
  }
}

uint8_t ByteReader::u8() {
  need(1, "byte");
  return data_[pos_++];
}

uint8_t ByteReader::peek() const {
  need(1, "byte");
  return data_[pos_];
}

uint32_t ByteReader::u32le() {
  need(4, "uint32");
  const uint32_t v = read_le32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

uint64_t ByteReader::u64le() {
  need(8, "uint64");
  const uint64_t lo = read_le32(data_.data() + pos_);
  const uint64_t hi = read_le32(data_.data() + pos_ + 4);
  pos_ += 8;
  return hi << 32 | lo;
}

uint64_t ByteReader::compact_size() {
  const uint8_t first = u8();
  uint64_t n = first;
  uint64_t minimum = 0;
  if (first == 0xfd) {
    need(2, "CompactSize");
    n = uint64_t(data_[pos_]) | uint64_t(data_[pos_ + 1]) << 8;
    pos_ += 2;
    minimum = 0xfd;
  } else if (first == 0xfe) {
    n = u32le();
    minimum = 0x10000;
  } else if (first == 0xff) {
    n = u64le();
    minimum = 0x100000000ULL;
  }
  if (n < minimum) throw DeserializeError("non-canonical CompactSize");
  if (n > 0x02000000) throw DeserializeError("CompactSize too large");
  return n;
}

std::span<const uint8_t> ByteReader::bytes(size_t n) {
  need(n, "bytes");
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Bytes ByteReader::var_bytes() {
  const uint64_t n = compact_size();
  auto s = bytes(n);
  return Bytes(s.begin(), s.end());
}

Uint256 ByteReader::hash() { return Uint256::from_internal(bytes(32)); }

}  // namespace pool::bitcoin
