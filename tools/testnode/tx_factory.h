#pragma once
// Makes realistic-looking mempool transactions for templates: legacy and segwit (so wtxid differs
// from txid), some spending outputs of earlier ones (so templates carry `depends`), each with a
// fee. Scripts and signatures are well-formed bytes but not valid signatures; the test node does
// not verify them.
#include <cstdint>
#include <random>

#include "bitcoin/transaction.h"

namespace pool::testnode {

struct MadeTransaction {
  bitcoin::Transaction tx;
  int64_t fee = 0;
};

/// Owns a deterministic random stream and the outputs available to spend.
class TxFactory {
 public:
  explicit TxFactory(uint64_t seed = 1) : rng_(seed) {}
  /// One transaction; with `parent` set it spends output 0 of that transaction.
  MadeTransaction make(const bitcoin::Transaction* parent, bool segwit);
  /// A wallet payment: one input, the given outputs, fee already deducted by the caller.
  bitcoin::Transaction make_payment(const std::vector<bitcoin::TxOut>& outputs);

 private:
  bitcoin::Uint256 random_hash();
  bitcoin::Bytes random_bytes(size_t n);
  std::mt19937_64 rng_;
};

}  // namespace pool::testnode
