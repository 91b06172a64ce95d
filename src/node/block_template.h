#pragma once
// The getblocktemplate answer (BIP22/23) as a typed value, parsed without I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "bitcoin/hex.h"
#include "bitcoin/target.h"
#include "bitcoin/uint256.h"

namespace pool::node {

/// One template transaction, as Bitcoin Core lists it.
struct TemplateTransaction {
  bitcoin::Bytes data;     // full serialization (with witness)
  bitcoin::Uint256 txid;   // without witness
  bitcoin::Uint256 wtxid;  // "hash": with witness
  int64_t fee = 0;
  int64_t sigops = 0;
  int64_t weight = 0;
  std::vector<int> depends;  // 1-based indices of earlier template transactions
};

/// Owns everything a job needs from one getblocktemplate call.
struct BlockTemplate {
  int32_t version = 0;
  bitcoin::Uint256 previous_block_hash;
  std::vector<TemplateTransaction> transactions;
  int64_t coinbase_value = 0;  // satoshis: subsidy + fees
  uint32_t bits = 0;
  bitcoin::Target target;
  int64_t height = 0;
  uint32_t cur_time = 0;
  uint32_t min_time = 0;
  std::string longpoll_id;
  std::vector<std::string> rules;
  std::optional<bitcoin::Bytes> default_witness_commitment;  // the output script, if given
  int64_t weight_limit = 4000000;
  int64_t sigop_limit = 80000;

  /// Total fees of the template's transactions.
  int64_t total_fees() const;
  bool segwit_active() const;
};

/// Parses a getblocktemplate result. Throws util::JsonError or bitcoin::HexError with a
/// message naming the bad field.
BlockTemplate parse_block_template(const rapidjson::Value& result);

}  // namespace pool::node
