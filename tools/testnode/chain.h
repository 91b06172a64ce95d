#pragma once
// The test node's chain and mempool: blocks by hash, the active chain, reorgs, templates and
// block acceptance with Bitcoin Core's reject reasons. Pure logic, no sockets; not thread-safe
// (the RPC service serializes access).
//
// What submitted blocks are checked for (see block_validation.cpp), as Bitcoin Core does and with
// its reason strings: decode, duplicate, proof of work against bits (high-hash), merkle root
// (bad-txnmrklroot), duplicate transactions (bad-txns-duplicate), size (bad-blk-length),
// coinbase presence, uniqueness and scriptSig length (bad-cb-missing, bad-cb-multiple,
// bad-cb-length), output values (bad-txns-vout-negative, bad-txns-vout-toolarge), previous block
// (prev-blk-not-found, bad-prevblk), difficulty bits (bad-diffbits), time against median time
// past and the 2-hour future limit (time-too-old, time-too-new), version (bad-version), finality
// (bad-txns-nonfinal), BIP34 height (bad-cb-height), witness reserved value and commitment
// (bad-witness-nonce-size, bad-witness-merkle-match, unexpected-witness), weight (bad-blk-weight),
// transactions it does not know (bad-txns-inputs-missingorspent) and the coinbase value against
// subsidy + fees (bad-cb-amount).
//
// What it does NOT check: scripts and signatures, a real UTXO set (a transaction is valid when
// the node made it; double spends between its own transactions are not modelled), sigop counts,
// BIP9 deployment states, and difficulty retargeting (bits are fixed, as on regtest).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bitcoin/block.h"
#include "bitcoin/network.h"

namespace pool::testnode {

struct StoredBlock {
  bitcoin::Block block;
  bitcoin::Uint256 hash;
  int64_t height = 0;
  int64_t fees = 0;
  bool invalid = false;  // marked by invalidateblock
};

struct MempoolEntry {
  bitcoin::Transaction tx;
  bitcoin::Uint256 txid;
  int64_t fee = 0;
};

using Clock = std::function<uint32_t()>;

/// Owns every block the node has seen, the active chain and the mempool.
class Chain {
 public:
  explicit Chain(uint32_t bits = 0x207fffff, Clock clock = {});

  // Chain queries.
  int64_t height() const { return static_cast<int64_t>(active_.size()) - 1; }
  const bitcoin::Uint256& tip_hash() const { return active_.back(); }
  std::optional<bitcoin::Uint256> hash_at(int64_t height) const;
  const StoredBlock* find(const bitcoin::Uint256& hash) const;
  /// Depth in the active chain (1 = tip), or -1 when not in it.
  int64_t confirmations(const bitcoin::Uint256& hash) const;
  uint32_t median_time_past() const;
  /// Every block the node has stored, on the active chain or not (genesis included).
  size_t stored_blocks() const { return blocks_.size(); }
  uint32_t bits() const { return bits_; }
  uint32_t now() const;
  static int64_t subsidy(int64_t height);

  // Mempool.
  const std::vector<MempoolEntry>& mempool() const { return mempool_; }
  void add_to_mempool(bitcoin::Transaction tx, int64_t fee);
  bool in_mempool(const bitcoin::Uint256& txid) const;
  /// Drops a transaction from the mempool (eviction, or a conflict taking its place); false when
  /// it was not there.
  bool remove_from_mempool(const bitcoin::Uint256& txid);
  /// Fee of a transaction the node knows (in the mempool or made by it earlier).
  std::optional<int64_t> known_fee(const bitcoin::Uint256& txid) const;
  /// The block height holding txid in the active chain, if any.
  std::optional<int64_t> tx_height(const bitcoin::Uint256& txid) const;

  /// The mempool transactions a template includes, parents first, within the weight limit.
  std::vector<const MempoolEntry*> template_transactions() const;

  /// Checks a block without changing state: "" when valid, else Core's reject reason.
  std::string check_block(const bitcoin::Block& block) const;
  /// submitblock: nullopt when accepted onto the active chain, else "duplicate",
  /// "inconclusive" (valid side branch) or a reject reason.
  std::optional<std::string> submit(const bitcoin::Block& block);

  /// Mines n blocks paying `script` with the mempool's transactions (or none, leaving the
  /// mempool as it is); returns their hashes.
  std::vector<bitcoin::Uint256> generate(int n, const bitcoin::Bytes& script, bool include_mempool = true);
  /// invalidateblock: removes the block and its descendants from the active chain (their
  /// transactions return to the mempool), then activates the best remaining valid branch.
  /// Returns false for an unknown hash.
  bool invalidate(const bitcoin::Uint256& hash);
  /// reconsiderblock: clears the mark on the block, its ancestors and descendants, then makes the
  /// valid branch with the most work (here: the highest) the active chain if it beats the tip.
  /// Returns false for an unknown hash.
  bool reconsider(const bitcoin::Uint256& hash);

  /// Called after every tip change with the new tip.
  void on_tip_changed(std::function<void(const bitcoin::Uint256&)> callback) { tip_callback_ = std::move(callback); }

 private:
  void connect(const bitcoin::Uint256& hash);
  bitcoin::Block make_block(const bitcoin::Bytes& script, bool include_mempool);
  std::string check_contextual(const bitcoin::Block& block, const StoredBlock& prev) const;
  std::string check_connect(const bitcoin::Block& block, int64_t height, int64_t* fees) const;
  uint32_t median_time_past_of(const bitcoin::Uint256& hash) const;
  void activate_branch(const bitcoin::Uint256& new_tip);
  void disconnect_above(int64_t new_height);
  /// True when `b` is `ancestor` or descends from it.
  bool descends_from(const StoredBlock& b, const StoredBlock& ancestor) const;
  /// Makes the highest valid branch active if it is above the tip; true when it did.
  bool activate_best_valid();
  /// True when neither `b` nor any ancestor is marked invalid.
  bool valid_branch(const StoredBlock& b) const;

  uint32_t bits_;
  Clock clock_;
  std::unordered_map<std::string, StoredBlock> blocks_;  // by internal hex of the hash
  std::vector<bitcoin::Uint256> active_;
  std::vector<MempoolEntry> mempool_;
  std::unordered_map<std::string, int64_t> known_fees_;
  std::function<void(const bitcoin::Uint256&)> tip_callback_;
  uint64_t blocks_made_ = 0;
};

/// Bitcoin's regtest genesis block.
bitcoin::Block regtest_genesis_block();

}  // namespace pool::testnode
