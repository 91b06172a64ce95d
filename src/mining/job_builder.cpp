#include "mining/job_builder.h"

#include "bitcoin/merkle.h"

namespace pool::mining {

std::string stratum_prevhash(const bitcoin::Uint256& prev_hash) {
  bitcoin::Bytes swapped(32);
  for (size_t word = 0; word < 8; ++word) {
    for (size_t b = 0; b < 4; ++b) swapped[word * 4 + b] = prev_hash.data()[word * 4 + 3 - b];
  }
  return bitcoin::to_hex(swapped);
}

Job build_job(std::shared_ptr<const node::BlockTemplate> tmpl, const bitcoin::Bytes& payout_script,
              const CoinbaseOptions& options, std::string id, bool clean_jobs) {
  Job job;
  const CoinbaseParts parts = build_coinbase(*tmpl, payout_script, options);
  std::vector<bitcoin::Uint256> txids;
  txids.reserve(tmpl->transactions.size());
  for (const auto& tx : tmpl->transactions) txids.push_back(tx.txid);

  job.id = std::move(id);
  job.coinb1 = parts.coinb1;
  job.coinb2 = parts.coinb2;
  job.has_witness_commitment = parts.has_witness_commitment;
  job.extranonce1_size = options.extranonce1_size;
  job.extranonce2_size = options.extranonce2_size;
  job.merkle_branch = bitcoin::coinbase_merkle_branch(txids);
  job.version = tmpl->version;
  job.bits = tmpl->bits;
  job.ntime = std::max(tmpl->cur_time, tmpl->min_time);
  job.min_time = tmpl->min_time;
  job.prev_hash = tmpl->previous_block_hash;
  job.height = tmpl->height;
  job.coinbase_value = tmpl->coinbase_value;
  job.network_target = tmpl->target;
  job.clean_jobs = clean_jobs;
  job.created_at = std::chrono::steady_clock::now();
  job.created_wall = std::chrono::system_clock::now();

  job.prevhash_hex = stratum_prevhash(job.prev_hash);
  job.coinb1_hex = bitcoin::to_hex(job.coinb1);
  job.coinb2_hex = bitcoin::to_hex(job.coinb2);
  for (const auto& h : job.merkle_branch) job.merkle_branch_hex.push_back(h.internal_hex());
  job.version_hex = bitcoin::hex_u32(static_cast<uint32_t>(job.version));
  job.bits_hex = bitcoin::hex_u32(job.bits);
  job.ntime_hex = bitcoin::hex_u32(job.ntime);
  job.block_template = std::move(tmpl);
  return job;
}

}  // namespace pool::mining
