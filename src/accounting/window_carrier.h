#pragma once
// Which committed PPLNS window root the pool's next coinbases carry, and which of our blocks
// carried each root. A carrier is learned by reading the coinbase of our found blocks (their
// stored block) for the PPLN output; it is recorded with the window (Store::set_window_commitment)
// and cleared when that block is orphaned or rejected, so the root is carried again. The root to
// carry is the one of the most recently found block whose window is stored, not empty, whose block
// is alive (not orphaned or rejected) and whose root no live block of ours carries.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bitcoin/uint256.h"
#include "store/store.h"

namespace pool::accounting {

/// What one of our blocks' coinbase commits to.
struct CarriedRoot {
  bitcoin::Uint256 root;
  std::string coinbase_txid;  // display hex
};

/// What to write and what to carry, decided from the stored windows and our blocks. Pure.
struct CarrierPlan {
  struct Change {
    std::string window_block;
    std::string carrier_block;  // '' clears
    std::string carrier_txid;
  };
  std::vector<Change> changes;
  std::optional<bitcoin::Uint256> carry;  // nullopt: nothing to carry
  std::string carry_block;                // the block whose window `carry` is
};

/// `blocks`: our blocks by hash (status and found_ms are read); `carried`: the roots found in the
/// coinbases of our live blocks read so far, by block hash.
CarrierPlan plan_window_carriers(const std::vector<store::BlockWindow>& windows,
                                 const std::map<std::string, store::BlockRecord>& blocks,
                                 const std::map<std::string, CarriedRoot>& carried);

/// The leader's side: reads coinbases, applies the plan, tells mining. Accounting thread only.
class WindowCarrier {
 public:
  using Carry = std::function<void(std::optional<bitcoin::Uint256>)>;
  /// Forgets what was told (a new leadership): the next refresh tells mining again.
  void reset() { told_.reset(); }
  /// Reads the coinbases of our found/submitted/pending blocks not read yet, records and clears
  /// carriers, and calls `carry` when the root to carry changed (or nothing was told yet). With
  /// `pplns` false (SOLO) nothing is carried.
  void refresh(store::Store& store, bool pplns, const Carry& carry);

 private:
  void tell(const std::optional<bitcoin::Uint256>& root, const std::string& block, const Carry& carry);

  std::map<std::string, std::optional<CarriedRoot>> read_;  // block hash -> the root its coinbase carries
  std::optional<std::optional<bitcoin::Uint256>> told_;
};

}  // namespace pool::accounting
