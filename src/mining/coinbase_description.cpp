#include "mining/coinbase_description.h"

#include "bitcoin/address.h"
#include "bitcoin/merkle.h"
#include "bitcoin/script.h"
#include "mining/block_assembler.h"
#include "mining/window_commitment_output.h"

namespace pool::mining {

namespace {

// The data pushes of a scriptSig in order (small-number opcodes count as pushes of no data);
// stops at the first opcode that is not a push or a push running past the end.
std::vector<bitcoin::Bytes> script_pushes(const bitcoin::Bytes& script) {
  std::vector<bitcoin::Bytes> pushes;
  size_t i = 0;
  while (i < script.size()) {
    const uint8_t op = script[i++];
    size_t len = 0;
    if (op == bitcoin::OP_0 || (op >= bitcoin::OP_1 && op <= bitcoin::OP_1 + 15) || op == bitcoin::OP_1NEGATE) {
      pushes.emplace_back();
      continue;
    }
    if (op < 0x4c) {
      len = op;
    } else if (op == 0x4c && i + 1 <= script.size()) {
      len = script[i];
      i += 1;
    } else if (op == 0x4d && i + 2 <= script.size()) {
      len = script[i] | (static_cast<size_t>(script[i + 1]) << 8);
      i += 2;
    } else {
      break;
    }
    if (i + len > script.size()) break;
    pushes.emplace_back(script.begin() + static_cast<std::ptrdiff_t>(i),
                        script.begin() + static_cast<std::ptrdiff_t>(i + len));
    i += len;
  }
  return pushes;
}

}  // namespace

CoinbaseDescription describe_coinbase(const bitcoin::Transaction& coinbase, bitcoin::Network network, bool solo) {
  CoinbaseDescription out;
  const std::optional<size_t> witness_index = bitcoin::find_witness_commitment(coinbase);
  for (size_t i = 0; i < coinbase.outputs.size(); ++i) {
    const bitcoin::TxOut& o = coinbase.outputs[i];
    CoinbaseOutputInfo info;
    info.index = i;
    info.value = o.value;
    info.script_pubkey = o.script_pubkey;
    info.address = bitcoin::script_to_address(o.script_pubkey, network);
    if (witness_index && *witness_index == i) {
      info.role = "witness_commitment";
    } else if (auto root = parse_window_commitment(o.script_pubkey)) {
      info.role = "window_commitment";
      info.window_root = root;
    } else if (i == 0) {
      info.role = solo ? "miner_reward" : "pool_reward";
    } else {
      info.role = "other";
    }
    out.total_sats += o.value;
    out.outputs.push_back(std::move(info));
  }
  if (!coinbase.inputs.empty()) {
    const auto pushes = script_pushes(coinbase.inputs[0].script_sig);
    if (pushes.size() >= 3) out.tag.assign(pushes[2].begin(), pushes[2].end());
  }
  return out;
}

bitcoin::Transaction job_coinbase(const Job& job) {
  const bitcoin::Bytes en1(job.extranonce1_size, 0), en2(job.extranonce2_size, 0);
  return bitcoin::Transaction::from_bytes(coinbase_bytes(job, en1, en2));
}

}  // namespace pool::mining
