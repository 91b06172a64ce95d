#include "mining/window_commitment_output.h"

#include <algorithm>

#include "bitcoin/script.h"

namespace pool::mining {

namespace {
constexpr size_t kPayloadSize = kWindowCommitmentMagic.size() + bitcoin::Uint256::kSize;  // 36
}  // namespace

bitcoin::Bytes window_commitment_script(const bitcoin::Uint256& root) {
  bitcoin::Bytes script(2 + kPayloadSize);
  script[0] = bitcoin::OP_RETURN;
  script[1] = static_cast<uint8_t>(kPayloadSize);
  std::copy(kWindowCommitmentMagic.begin(), kWindowCommitmentMagic.end(), script.begin() + 2);
  std::copy(root.bytes().begin(), root.bytes().end(), script.begin() + 2 + kWindowCommitmentMagic.size());
  return script;
}

std::optional<bitcoin::Uint256> parse_window_commitment(const bitcoin::Bytes& script) {
  if (script.size() != 2 + kPayloadSize || script[0] != bitcoin::OP_RETURN || script[1] != kPayloadSize ||
      !std::equal(kWindowCommitmentMagic.begin(), kWindowCommitmentMagic.end(), script.begin() + 2)) {
    return std::nullopt;
  }
  return bitcoin::Uint256::from_internal(std::span(script).subspan(2 + kWindowCommitmentMagic.size()));
}

std::optional<bitcoin::Uint256> find_window_commitment(const bitcoin::Transaction& coinbase) {
  for (const auto& out : coinbase.outputs) {
    if (auto root = parse_window_commitment(out.script_pubkey)) return root;
  }
  return std::nullopt;
}

}  // namespace pool::mining
