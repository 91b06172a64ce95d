#include "testnode/block_validation.h"

#include <set>

#include "bitcoin/merkle.h"
#include "bitcoin/target.h"

namespace pool::testnode {

using bitcoin::Uint256;

std::string check_block_context_free(const bitcoin::Block& block) {
  // CheckBlockHeader: proof of work.
  const auto target = bitcoin::target_from_bits(block.header.bits);
  if (!target || !bitcoin::hash_meets_target(block.header.hash(), *target)) return "high-hash";

  // CheckBlock: merkle root and mutation.
  std::vector<Uint256> txids;
  txids.reserve(block.transactions.size());
  std::set<std::string> seen;
  bool duplicate = false;
  for (const auto& tx : block.transactions) {
    txids.push_back(tx.txid());
    duplicate = duplicate || !seen.insert(txids.back().internal_hex()).second;
  }
  if (bitcoin::merkle_root(txids) != block.header.merkle_root) return "bad-txnmrklroot";
  if (duplicate) return "bad-txns-duplicate";

  if (block.transactions.empty() || block.serialize(false).size() * 4 > kMaxBlockWeight) return "bad-blk-length";
  if (!block.transactions[0].is_coinbase()) return "bad-cb-missing";
  for (size_t i = 1; i < block.transactions.size(); ++i) {
    if (block.transactions[i].is_coinbase()) return "bad-cb-multiple";
  }
  for (const auto& tx : block.transactions) {
    if (tx.inputs.empty()) return "bad-txns-vin-empty";
    if (tx.outputs.empty()) return "bad-txns-vout-empty";
    int64_t total = 0;
    for (const auto& out : tx.outputs) {
      if (out.value < 0) return "bad-txns-vout-negative";
      if (out.value > kMaxMoney) return "bad-txns-vout-toolarge";
      total += out.value;
      if (total > kMaxMoney) return "bad-txns-txouttotal-toolarge";
    }
    if (tx.is_coinbase()) {
      const size_t n = tx.inputs[0].script_sig.size();
      if (n < 2 || n > 100) return "bad-cb-length";
    } else {
      for (const auto& in : tx.inputs) {
        if (in.prevout.is_null()) return "bad-txns-prevout-null";
      }
    }
  }
  return "";
}

std::string check_witness_commitment(const bitcoin::Block& block) {
  const auto& coinbase = block.transactions[0];
  const auto index = bitcoin::find_witness_commitment(coinbase);
  if (index) {
    const auto& witness = coinbase.inputs[0].witness;
    if (witness.size() != 1 || witness[0].size() != 32) return "bad-witness-nonce-size";
    std::vector<Uint256> wtxids;
    for (size_t i = 1; i < block.transactions.size(); ++i) wtxids.push_back(block.transactions[i].wtxid());
    const auto expected =
        bitcoin::witness_commitment_script(bitcoin::witness_merkle_root(wtxids), Uint256::from_internal(witness[0]));
    const auto& actual = coinbase.outputs[*index].script_pubkey;
    if (!std::equal(expected.begin(), expected.end(), actual.begin())) return "bad-witness-merkle-match";
    return "";
  }
  for (const auto& tx : block.transactions) {
    if (tx.has_witness()) return "unexpected-witness";
  }
  return "";
}

bool is_final_tx(const bitcoin::Transaction& tx, int64_t height, uint32_t median_time_past) {
  if (tx.lock_time == 0) return true;
  const int64_t limit = tx.lock_time < 500000000 ? height : median_time_past;
  if (static_cast<int64_t>(tx.lock_time) < limit) return true;
  for (const auto& in : tx.inputs) {
    if (in.sequence != 0xffffffff) return false;
  }
  return true;
}

}  // namespace pool::testnode
