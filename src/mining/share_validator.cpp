#include "mining/share_validator.h"

namespace pool::mining {

ShareCheck check_share(const Job& job, const Solution& solution, const bitcoin::Target& share_target) {
  ShareCheck check;
  check.header = solution_header(job, solution);
  check.hash = check.header.hash();
  const bitcoin::Target value = bitcoin::Target::from_hash(check.hash);
  check.meets_share_target = value <= share_target;
  check.meets_network_target = value <= job.network_target;
  check.hash_difficulty = bitcoin::difficulty_from_target(value);
  return check;
}

bool rolled_version(int32_t job_version, uint32_t version_bits, uint32_t mask, int32_t* out) {
  const uint32_t fixed = static_cast<uint32_t>(job_version) & ~mask;
  // Most miners send only the rolled bits; some send the whole rolled version. Both are
  // unambiguous; anything else touching bits outside the mask is not.
  if ((version_bits & ~mask) != 0 && (version_bits & ~mask) != fixed) return false;
  *out = static_cast<int32_t>((static_cast<uint32_t>(job_version) & ~mask) | (version_bits & mask));
  return true;
}

}  // namespace pool::mining
