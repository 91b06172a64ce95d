#include "mining/coinbase_builder.h"

#include <algorithm>
#include <stdexcept>

#include "bitcoin/merkle.h"
#include "bitcoin/script.h"
#include "bitcoin/serialize.h"
#include "mining/window_commitment_output.h"

namespace pool::mining {

using bitcoin::Bytes;

namespace {
constexpr size_t kMaxScriptSig = 100;  // Bitcoin Core's bad-cb-length limit
}

size_t max_tag_length(int64_t height, size_t extranonce_total) {
  const size_t fixed = bitcoin::bip34_height_script(height).size() + 1 + extranonce_total;
  if (fixed + 1 >= kMaxScriptSig) return 0;
  // A push of up to 75 bytes costs one opcode byte; longer ones need OP_PUSHDATA1 and a length.
  const size_t room = kMaxScriptSig - fixed;
  if (room - 1 <= 75) return room - 1;
  return std::max<size_t>(75, room - 2);
}

Bytes template_witness_commitment(const node::BlockTemplate& tmpl) {
  std::vector<bitcoin::Uint256> wtxids;
  wtxids.reserve(tmpl.transactions.size());
  for (const auto& tx : tmpl.transactions) wtxids.push_back(tx.wtxid);
  return bitcoin::witness_commitment_script(bitcoin::witness_merkle_root(wtxids));
}

CoinbaseParts build_coinbase(const node::BlockTemplate& tmpl, const Bytes& payout_script,
                             const CoinbaseOptions& options, const std::optional<bitcoin::Uint256>& window_root) {
  return build_coinbase(tmpl, payout_script, options, tmpl.segwit_active() ? template_witness_commitment(tmpl) : Bytes(),
                        window_root);
}

CoinbaseParts build_coinbase(const node::BlockTemplate& tmpl, const Bytes& payout_script,
                             const CoinbaseOptions& options, const Bytes& witness_commitment,
                             const std::optional<bitcoin::Uint256>& window_root) {
  if (options.extranonce1_size < 1 || options.extranonce1_size > 16 || options.extranonce2_size < 1 ||
      options.extranonce2_size > 16) {
    throw std::invalid_argument("extranonce sizes must be 1..16 bytes");
  }
  if (payout_script.empty()) throw std::invalid_argument("coinbase needs a payout script");
  const size_t extranonce_total = options.extranonce1_size + options.extranonce2_size;

  // scriptSig = <height> <push extranonce1||extranonce2> <push tag>
  Bytes prefix = bitcoin::bip34_height_script(tmpl.height);
  prefix.push_back(static_cast<uint8_t>(extranonce_total));  // direct push opcode (< 76)
  std::string tag = options.tag.substr(0, max_tag_length(tmpl.height, extranonce_total));
  Bytes suffix;
  if (!tag.empty()) bitcoin::script_push_data(suffix, Bytes(tag.begin(), tag.end()));
  const size_t script_sig_size = prefix.size() + extranonce_total + suffix.size();

  bitcoin::ByteWriter w1(128);
  w1.i32le(2);          // version
  w1.compact_size(1);   // one input
  w1.bytes(Bytes(32, 0));
  w1.u32le(0xffffffff);  // null prevout
  w1.compact_size(script_sig_size);
  w1.bytes(prefix);

  bitcoin::ByteWriter w2(128);
  w2.bytes(suffix);
  w2.u32le(0xffffffff);  // sequence
  CoinbaseParts parts;
  parts.has_witness_commitment = tmpl.segwit_active();
  w2.compact_size(1 + (window_root ? 1 : 0) + (parts.has_witness_commitment ? 1 : 0));
  w2.i64le(tmpl.coinbase_value);  // output 0: the whole coinbase value
  w2.var_bytes(payout_script);
  if (window_root) {  // then the PPLNS window commitment, value 0
    w2.i64le(0);
    w2.var_bytes(window_commitment_script(*window_root));
  }
  if (parts.has_witness_commitment) {  // BIP141 commitment last
    w2.i64le(0);
    if (witness_commitment.empty()) throw std::invalid_argument("segwit coinbase needs the witness commitment");
    w2.var_bytes(witness_commitment);
  }
  w2.u32le(0);  // lock time
  parts.coinb1 = w1.take();
  parts.coinb2 = w2.take();
  return parts;
}

}  // namespace pool::mining
