#pragma once
// The shares already submitted for one job, pool-wide: every session on every Stratum thread
// checks and inserts here, so a share is credited once however often it is replayed (after a
// reconnect, a session resume or an extranonce rotation). Owned by the Job (SOLO personal jobs
// share their base job's set), so it expires with the job.
#include <array>
#include <cstdint>
#include <mutex>
#include <vector>

#include "bitcoin/uint256.h"

namespace pool::mining {

/// Owns a set of 64-bit keys (open addressing with linear probing, kept between 53% and 80% full
/// by growing 1.5×: 10–15 bytes per key) split into independently locked stripes, so shares from
/// many threads rarely wait for each other.
class JobSeenSet {
 public:
  /// Inserts the share's header hash (by its first 8 bytes, which are uniformly random); false
  /// when it was already present.
  bool insert(const bitcoin::Uint256& hash) { return insert_key(key_of(hash)); }
  bool insert_key(uint64_t key) {
    const uint64_t mixed = mix(key);
    Stripe& s = stripes_[mixed % kStripes];
    std::lock_guard lock(s.mutex);
    return s.insert(key, mixed * 0x9e3779b97f4a7c15ULL);
  }
  size_t size() const {
    size_t n = 0;
    for (auto& s : stripes_) {
      std::lock_guard lock(s.mutex);
      n += s.size + (s.has_zero ? 1 : 0);
    }
    return n;
  }
  /// Bytes held by the tables (what grows with the shares).
  size_t memory_bytes() const {
    size_t n = 0;
    for (auto& s : stripes_) {
      std::lock_guard lock(s.mutex);
      n += s.slots.capacity() * sizeof(uint64_t);
    }
    return n;
  }
  static uint64_t key_of(const bitcoin::Uint256& h) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | h.data()[i];
    return v;
  }

 private:
  static constexpr size_t kStripes = 64;
  static uint64_t mix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    return k ^ (k >> 33);
  }
  /// One lock and its table; 0 is the empty slot, so key 0 is kept out of band.
  struct Stripe {
    mutable std::mutex mutex;
    std::vector<uint64_t> slots;
    size_t size = 0;
    bool has_zero = false;
    /// `home` is a uniform 64-bit value; its position is home × size / 2^64 (any table size).
    bool insert(uint64_t key, uint64_t home) {
      if (key == 0) {
        const bool fresh = !has_zero;
        has_zero = true;
        return fresh;
      }
      if ((size + 1) * 5 > slots.size() * 4) grow();
      const size_t n = slots.size();
      for (size_t i = static_cast<size_t>((static_cast<unsigned __int128>(home) * n) >> 64);; i = i + 1 == n ? 0 : i + 1) {
        if (slots[i] == key) return false;
        if (slots[i] == 0) {
          slots[i] = key;
          ++size;
          return true;
        }
      }
    }
    void grow() {
      std::vector<uint64_t> old = std::move(slots);
      slots.assign(old.empty() ? 16 : old.size() + old.size() / 2, 0);
      size = 0;
      for (uint64_t k : old) {
        if (k != 0) insert(k, mix(k) * 0x9e3779b97f4a7c15ULL);
      }
    }
  };
  std::array<Stripe, kStripes> stripes_;
};

}  // namespace pool::mining
