#pragma once
// Builds the coinbase transaction of a job: BIP34 height, operator tag, extranonce slot,
// payout output, the PPLNS window commitment (when one is carried) and the BIP141 witness
// commitment, split where Stratum inserts extranonces.
//
// Output layout (stable; docs/miner-guide.md "Coinbase layout"): output 0 pays the whole
// coinbase value to the payout script; then, value 0, the window commitment output
// (OP_RETURN "PPLN"||root) when a root is carried; then, value 0, the BIP141 witness commitment,
// always last, whenever segwit is active.
#include <optional>
#include <string>
#include <vector>

#include "bitcoin/transaction.h"
#include "node/block_template.h"

namespace pool::mining {

struct CoinbaseOptions {
  std::string tag = "/bitcoin-mining-pool/";
  size_t extranonce1_size = 4;
  size_t extranonce2_size = 8;
};

/// coinb1 || extranonce1 || extranonce2 || coinb2 is the coinbase without witness.
struct CoinbaseParts {
  bitcoin::Bytes coinb1;
  bitcoin::Bytes coinb2;
  bool has_witness_commitment = false;
};

/// The payout: every satoshi of the template's coinbase value goes to `payout_script` (the pool
/// address in PPLNS, the finder's own address in SOLO). `window_root`, when set, adds the
/// zero-value window commitment output right after the payout. The witness commitment output is
/// added last whenever segwit is active, computed from the template's wtxids. Throws
/// std::invalid_argument for extranonce sizes outside 1..16 or an empty payout script.
CoinbaseParts build_coinbase(const node::BlockTemplate& tmpl, const bitcoin::Bytes& payout_script,
                             const CoinbaseOptions& options,
                             const std::optional<bitcoin::Uint256>& window_root = std::nullopt);

/// The same with the witness commitment script already computed (template_witness_commitment of
/// `tmpl`, ignored when segwit is inactive): what a personal SOLO job uses so the wtxid merkle
/// root is computed once per template, not once per miner.
CoinbaseParts build_coinbase(const node::BlockTemplate& tmpl, const bitcoin::Bytes& payout_script,
                             const CoinbaseOptions& options, const bitcoin::Bytes& witness_commitment,
                             const std::optional<bitcoin::Uint256>& window_root = std::nullopt);

/// The witness commitment script for a template, from its transactions' wtxids.
bitcoin::Bytes template_witness_commitment(const node::BlockTemplate& tmpl);

/// The largest tag that fits a coinbase scriptSig (100 bytes) at `height` with these sizes.
size_t max_tag_length(int64_t height, size_t extranonce_total);

}  // namespace pool::mining
