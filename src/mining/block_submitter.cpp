#include "mining/block_submitter.h"

#include <spdlog/spdlog.h>

#include <thread>

namespace pool::mining {

std::string_view submit_status_name(SubmitStatus status) {
  switch (status) {
    case SubmitStatus::kAccepted: return "accepted";
    case SubmitStatus::kDuplicate: return "duplicate";
    case SubmitStatus::kInconclusive: return "inconclusive";
    case SubmitStatus::kRejected: return "rejected";
    case SubmitStatus::kUnreachable: return "unreachable";
  }
  return "unknown";
}

SubmitStatus interpret_submit_answer(const std::optional<std::string>& answer) {
  if (!answer) return SubmitStatus::kAccepted;
  if (*answer == "duplicate") return SubmitStatus::kDuplicate;
  if (*answer == "inconclusive") return SubmitStatus::kInconclusive;
  return SubmitStatus::kRejected;
}

SubmitResult submit_block(node::BitcoinNode& node, const bitcoin::Block& block, int64_t height, int attempts) {
  return submit_block_hex(node, bitcoin::to_hex(block.serialize()), block.header.hash(), height, attempts);
}

SubmitResult submit_block_hex(node::BitcoinNode& node, const std::string& hex, const bitcoin::Uint256& hash,
                              int64_t height, int attempts) {
  SubmitResult result;
  result.hash = hash;
  result.height = height;
  auto backoff = std::chrono::milliseconds(200);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    try {
      const auto answer = node.submit_block(hex);
      result.status = interpret_submit_answer(answer);
      result.reason = answer.value_or("");
      break;
    } catch (const node::RpcError& e) {
      // -22 "Block decode failed" (and -25, a verify error) judge the block: a rejection. Any
      // other error says nothing about it (-28 still warming up after a restart, -9/-10 not
      // connected or downloading, a wallet or auth error): the block is unsettled and will be
      // submitted again, never written off.
      if (e.code() == -22 || e.code() == -25) {
        result.status = SubmitStatus::kRejected;
        result.reason = e.rpc_message();
        break;
      }
      result.status = SubmitStatus::kUnreachable;
      result.reason = e.rpc_message();
      spdlog::error("block {} at height {}: submitblock attempt {}/{}: node error {} ({}); not a verdict on the block",
                    result.hash.hex(), height, attempt, attempts, e.code(), e.rpc_message());
      if (attempt < attempts) std::this_thread::sleep_for(backoff);
      backoff *= 2;
    } catch (const std::exception& e) {
      result.status = SubmitStatus::kUnreachable;
      result.reason = e.what();
      spdlog::error("block {} at height {}: submitblock attempt {}/{} failed: {}", result.hash.hex(), height, attempt,
                    attempts, e.what());
      if (attempt < attempts) std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }
  if (result.status != SubmitStatus::kRejected && result.status != SubmitStatus::kUnreachable) {
    try {
      const auto at_height = node.get_block_hash(height);
      result.in_best_chain = at_height && *at_height == result.hash;
      if (result.status == SubmitStatus::kInconclusive && result.in_best_chain) result.status = SubmitStatus::kAccepted;
    } catch (const std::exception& e) {
      spdlog::warn("block {}: could not confirm with getblockhash({}): {}", result.hash.hex(), height, e.what());
    }
  }
  if (result.status == SubmitStatus::kAccepted || result.status == SubmitStatus::kDuplicate) {
    spdlog::info("BLOCK {} at height {} {} by the node (in best chain: {})", result.hash.hex(), height,
                 submit_status_name(result.status), result.in_best_chain ? "yes" : "no");
  } else if (result.status == SubmitStatus::kInconclusive) {
    spdlog::warn("BLOCK {} at height {} is valid but not on the best chain: another block at this height came first",
                 result.hash.hex(), height);
  } else {
    spdlog::error("BLOCK {} at height {} {}: {}", result.hash.hex(), height, submit_status_name(result.status),
                  result.reason.empty() ? "(no reason given)" : result.reason);
  }
  return result;
}

}  // namespace pool::mining
