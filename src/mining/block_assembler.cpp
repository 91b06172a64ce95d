#include "mining/block_assembler.h"

#include "bitcoin/merkle.h"
#include "bitcoin/sha256.h"

namespace pool::mining {

using bitcoin::Bytes;

Bytes coinbase_bytes(const Job& job, std::span<const uint8_t> extranonce1, std::span<const uint8_t> extranonce2) {
  Bytes out;
  out.reserve(job.coinb1.size() + extranonce1.size() + extranonce2.size() + job.coinb2.size());
  out.insert(out.end(), job.coinb1.begin(), job.coinb1.end());
  out.insert(out.end(), extranonce1.begin(), extranonce1.end());
  out.insert(out.end(), extranonce2.begin(), extranonce2.end());
  out.insert(out.end(), job.coinb2.begin(), job.coinb2.end());
  return out;
}

bitcoin::BlockHeader solution_header(const Job& job, const Solution& solution) {
  bitcoin::BlockHeader header;
  header.version = solution.version;
  header.prev_hash = job.prev_hash;
  const auto coinbase_txid = bitcoin::sha256d(coinbase_bytes(job, solution.extranonce1, solution.extranonce2));
  header.merkle_root = bitcoin::merkle_root_from_branch(coinbase_txid, job.merkle_branch());
  header.time = solution.ntime;
  header.bits = job.bits;
  header.nonce = solution.nonce;
  return header;
}

bitcoin::Block assemble_block(const Job& job, const Solution& solution) {
  bitcoin::Block block;
  block.header = solution_header(job, solution);
  block.transactions.reserve(job.block_template->transactions.size() + 1);
  bitcoin::Transaction coinbase =
      bitcoin::Transaction::from_bytes(coinbase_bytes(job, solution.extranonce1, solution.extranonce2));
  if (job.has_witness_commitment) coinbase.inputs[0].witness = {Bytes(32, 0)};  // reserved value
  block.transactions.push_back(std::move(coinbase));
  for (const auto& tx : job.block_template->transactions) {
    block.transactions.push_back(bitcoin::Transaction::from_bytes(tx.data));
  }
  return block;
}

}  // namespace pool::mining
