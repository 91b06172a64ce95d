#pragma once
// Remembers which shares a session already submitted for one job, 8 bytes per share (an
// open-addressing table of header-hash prefixes), so duplicate detection stays cheap at high
// share rates.
#include <cstdint>
#include <vector>

namespace pool::stratum {

/// Owns a set of 64-bit keys; 0 is stored out of band.
class DuplicateFilter {
 public:
  /// Inserts key; returns false if it was already present.
  bool insert(uint64_t key) {
    if (key == 0) {
      const bool fresh = !has_zero_;
      has_zero_ = true;
      return fresh;
    }
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == key) return false;
      if (slots_[i] == 0) {
        slots_[i] = key;
        ++size_;
        return true;
      }
    }
  }
  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }

 private:
  static uint64_t mix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    return k ^ (k >> 33);
  }
  void grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, 0);
    size_ = 0;
    for (uint64_t k : old) {
      if (k != 0) insert(k);
    }
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
  bool has_zero_ = false;
};

}  // namespace pool::stratum
