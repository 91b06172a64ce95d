#pragma once
// Turns a block template into a Job: coinbase parts, merkle branch and Stratum fields.
#include <memory>
#include <string>

#include "mining/coinbase_builder.h"
#include "mining/job.h"

namespace pool::mining {

/// Builds a job for `payout_script`. Pure: no I/O, no clock reads except created_at.
Job build_job(std::shared_ptr<const node::BlockTemplate> tmpl, const bitcoin::Bytes& payout_script,
              const CoinbaseOptions& options, std::string id, bool clean_jobs);

}  // namespace pool::mining
