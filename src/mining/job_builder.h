#pragma once
// Turns a block template into a Job: coinbase parts, merkle branch and Stratum fields. The
// template-wide part (JobWork) is built once; personal SOLO jobs only re-serialize the coinbase.
#include <memory>
#include <optional>
#include <string>

#include "mining/coinbase_builder.h"
#include "mining/job.h"

namespace pool::mining {

/// Builds a job for `payout_script`; its coinbase carries the window commitment output for
/// `window_root` when one is given. Pure: no I/O, no clock reads except created_at.
Job build_job(std::shared_ptr<const node::BlockTemplate> tmpl, const bitcoin::Bytes& payout_script,
              const CoinbaseOptions& options, std::string id, bool clean_jobs,
              const std::optional<bitcoin::Uint256>& window_root = std::nullopt);

/// The template-wide part of a job for `tmpl`: merkle branch (and its hex), witness commitment.
std::shared_ptr<const JobWork> build_job_work(const node::BlockTemplate& tmpl);

/// `base` paying `payout_script` instead: shares base's JobWork and header fields and
/// re-serializes only the coinbase, which carries no window commitment (SOLO has no PPLNS
/// windows). Field for field (created_at aside) what
/// build_job(base.block_template, payout_script, options, id, base.clean_jobs) returns; costs a
/// coinbase, not a merkle tree. Throws like build_coinbase.
Job personalize_job(const Job& base, const bitcoin::Bytes& payout_script, const CoinbaseOptions& options,
                    std::string id);

}  // namespace pool::mining
