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

std::shared_ptr<const JobWork> build_job_work(const node::BlockTemplate& tmpl) {
  auto work = std::make_shared<JobWork>();
  std::vector<bitcoin::Uint256> txids;
  txids.reserve(tmpl.transactions.size());
  for (const auto& tx : tmpl.transactions) txids.push_back(tx.txid);
  work->merkle_branch = bitcoin::coinbase_merkle_branch(txids);
  if (tmpl.segwit_active()) work->witness_commitment = template_witness_commitment(tmpl);
  std::string& json = work->merkle_branch_json;
  json.reserve(2 + work->merkle_branch.size() * 67);
  json.push_back('[');
  for (const auto& h : work->merkle_branch) {
    work->merkle_branch_hex.push_back(h.internal_hex());
    if (json.size() > 1) json.push_back(',');
    json.push_back('"');
    json.append(work->merkle_branch_hex.back());
    json.push_back('"');
  }
  json.push_back(']');
  return work;
}

namespace {

// The coinbase-dependent fields of `job` for `payout_script`.
void set_coinbase(Job& job, const bitcoin::Bytes& payout_script, const CoinbaseOptions& options,
                  const std::optional<bitcoin::Uint256>& window_root) {
  CoinbaseParts parts =
      build_coinbase(*job.block_template, payout_script, options, job.work->witness_commitment, window_root);
  job.payout_script = payout_script;
  job.window_commitment = window_root;
  job.coinb1 = std::move(parts.coinb1);
  job.coinb2 = std::move(parts.coinb2);
  job.has_witness_commitment = parts.has_witness_commitment;
  job.extranonce1_size = options.extranonce1_size;
  job.extranonce2_size = options.extranonce2_size;
  job.coinb1_hex = bitcoin::to_hex(job.coinb1);
  job.coinb2_hex = bitcoin::to_hex(job.coinb2);
}

}  // namespace

Job build_job(std::shared_ptr<const node::BlockTemplate> tmpl, const bitcoin::Bytes& payout_script,
              const CoinbaseOptions& options, std::string id, bool clean_jobs,
              const std::optional<bitcoin::Uint256>& window_root) {
  Job job;
  job.id = std::move(id);
  job.block_template = std::move(tmpl);
  const node::BlockTemplate& t = *job.block_template;
  job.work = build_job_work(t);
  set_coinbase(job, payout_script, options, window_root);
  job.version = t.version;
  job.bits = t.bits;
  job.ntime = std::max(t.cur_time, t.min_time);
  job.min_time = t.min_time;
  job.prev_hash = t.previous_block_hash;
  job.height = t.height;
  job.coinbase_value = t.coinbase_value;
  job.network_target = t.target;
  job.clean_jobs = clean_jobs;
  job.created_at = std::chrono::steady_clock::now();
  job.created_wall = std::chrono::system_clock::now();

  job.prevhash_hex = stratum_prevhash(job.prev_hash);
  job.version_hex = bitcoin::hex_u32(static_cast<uint32_t>(job.version));
  job.bits_hex = bitcoin::hex_u32(job.bits);
  job.ntime_hex = bitcoin::hex_u32(job.ntime);
  return job;
}

Job personalize_job(const Job& base, const bitcoin::Bytes& payout_script, const CoinbaseOptions& options,
                    std::string id) {
  Job job;
  job.id = std::move(id);
  job.block_template = base.block_template;
  job.work = base.work;
  job.transactions_encoding = base.transactions_encoding;  // same template, one encoding
  job.seen = base.seen;  // a share is one share whichever job object it came through
  set_coinbase(job, payout_script, options, std::nullopt);
  job.version = base.version;
  job.bits = base.bits;
  job.ntime = base.ntime;
  job.min_time = base.min_time;
  job.prev_hash = base.prev_hash;
  job.height = base.height;
  job.coinbase_value = base.coinbase_value;
  job.network_target = base.network_target;
  job.clean_jobs = base.clean_jobs;
  job.created_at = std::chrono::steady_clock::now();
  job.created_wall = std::chrono::system_clock::now();
  job.prevhash_hex = base.prevhash_hex;
  job.version_hex = base.version_hex;
  job.bits_hex = base.bits_hex;
  job.ntime_hex = base.ntime_hex;
  return job;
}

}  // namespace pool::mining
