#pragma once
// Bitcoin wire serialization: little-endian integers, CompactSize varints, byte strings.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "bitcoin/hex.h"
#include "bitcoin/uint256.h"

namespace pool::bitcoin {

/// Thrown when serialized data is truncated or malformed.
class DeserializeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Appends Bitcoin-serialized values to a byte vector it owns.
class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(size_t reserve) { out_.reserve(reserve); }

  void u8(uint8_t v) { out_.push_back(v); }
  void u32le(uint32_t v);
  void i32le(int32_t v) { u32le(static_cast<uint32_t>(v)); }
  void u64le(uint64_t v);
  void i64le(int64_t v) { u64le(static_cast<uint64_t>(v)); }
  void compact_size(uint64_t n);
  void bytes(std::span<const uint8_t> data) { out_.insert(out_.end(), data.begin(), data.end()); }
  /// CompactSize length followed by the bytes.
  void var_bytes(std::span<const uint8_t> data);
  void hash(const Uint256& h) { bytes(h.bytes()); }

  const Bytes& data() const noexcept { return out_; }
  Bytes take() noexcept { return std::move(out_); }
  size_t size() const noexcept { return out_.size(); }

 private:
  Bytes out_;
};

/// Reads Bitcoin-serialized values from a byte span it does not own; every read is bounds
/// checked and throws DeserializeError naming what was being read.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  uint8_t u8();
  uint32_t u32le();
  int32_t i32le() { return static_cast<int32_t>(u32le()); }
  uint64_t u64le();
  int64_t i64le() { return static_cast<int64_t>(u64le()); }
  /// Reads a CompactSize and rejects non-canonical encodings, as Bitcoin Core does.
  uint64_t compact_size();
  std::span<const uint8_t> bytes(size_t n);
  Bytes var_bytes();
  Uint256 hash();
  uint8_t peek() const;

  size_t position() const noexcept { return pos_; }
  size_t remaining() const noexcept { return data_.size() - pos_; }
  bool empty() const noexcept { return pos_ == data_.size(); }

 private:
  void need(size_t n, const char* what) const;
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

/// Number of bytes CompactSize uses for n.
size_t compact_size_length(uint64_t n) noexcept;

}  // namespace pool::bitcoin
