// Session::submit: the mining.submit checks, in the order miners expect, with the conventional
// reject codes. A share that meets the network target goes to the block path first.
#include <chrono>

#include "mining/share_validator.h"
#include "stratum/session.h"

namespace pool::stratum {

namespace {

bool hex_u32(const rapidjson::Value& v, uint32_t* out) {
  if (!v.IsString() || v.GetStringLength() != 8 || !bitcoin::is_hex({v.GetString(), 8})) return false;
  *out = bitcoin::parse_hex_u32({v.GetString(), 8});
  return true;
}

}  // namespace

void Session::submit(const Message& m, std::vector<Outgoing>& out) {
  if (!subscribed_) {
    reject(m, "", kNotSubscribed, "Not subscribed", false, out);
    return;
  }
  if (!m.params || !m.params->IsArray() || m.params->Size() < 5 || !(*m.params)[0].IsString() ||
      !(*m.params)[1].IsString() || !(*m.params)[2].IsString()) {
    reject(m, "", kOther, "mining.submit needs [worker, job_id, extranonce2, ntime, nonce(, version_bits)]", true, out);
    return;
  }
  const auto& p = *m.params;
  const std::string worker_name = p[0].GetString();
  auto worker = workers_.find(worker_name);
  if (worker == workers_.end()) {
    reject(m, worker_name, kUnauthorized, "Unauthorized worker '" + worker_name + "'", true, out);
    return;
  }
  mining::Solution solution;
  solution.extranonce1 = extranonce1_;
  const std::string_view en2(p[2].GetString(), p[2].GetStringLength());
  if (en2.size() != config_.extranonce2_size * 2 || !bitcoin::is_hex(en2)) {
    reject(m, worker_name, kOther,
           "Invalid extranonce2: expected " + std::to_string(config_.extranonce2_size) + " bytes as hex", true, out);
    return;
  }
  solution.extranonce2 = bitcoin::from_hex(en2);
  uint32_t version_bits = 0;
  if (!hex_u32(p[3], &solution.ntime) || !hex_u32(p[4], &solution.nonce) ||
      (p.Size() >= 6 && !hex_u32(p[5], &version_bits))) {
    reject(m, worker_name, kOther, "Malformed ntime, nonce or version: each must be 8 hex digits", true, out);
    return;
  }
  const std::string job_id = p[1].GetString();
  const mining::JobPtr job = find_job(job_id);
  if (!job) {
    // A job this session was sent and that has since expired is stale, an honest race with a
    // new block. An id it was never sent is made up: it counts toward the abuse limit.
    if (was_sent(job_id)) {
      reject(m, worker_name, kJobNotFound, "Job not found (stale)", false, out);
    } else {
      reject(m, worker_name, kJobNotFound, "Job not found (never sent to this connection)", true, out);
    }
    return;
  }
  if (config_.solo && job->payout_script != worker->second.payout_script) {
    // SOLO: the share is credited to the worker that sent it, so it must be on a job whose
    // coinbase pays that worker's address; anything else could be a block paying someone else.
    const std::string* pays = job_payee(job_id);
    reject(m, worker_name, kOther,
           "Job " + job_id + " pays " + (pays ? *pays : std::string("another address")) + ", not " +
               worker->second.address + ": submit each job as a worker of the address it pays",
           false, out);
    return;
  }
  if (solution.ntime < job->min_time) {
    reject(m, worker_name, kOther, "ntime out of range: earlier than the template's mintime", true, out);
    return;
  }
  if (solution.ntime > host_.unix_time() + 7200) {
    reject(m, worker_name, kOther, "ntime out of range: more than 2 hours in the future", true, out);
    return;
  }
  solution.version = job->version;
  if (p.Size() >= 6) {
    if (version_mask_ == 0 && version_bits != 0 && version_bits != static_cast<uint32_t>(job->version)) {
      reject(m, worker_name, kOther, "Version rolling was not negotiated (mining.configure)", true, out);
      return;
    }
    if (!mining::rolled_version(job->version, version_bits, version_mask_, &solution.version)) {
      reject(m, worker_name, kOther, "Version bits outside the negotiated mask " + bitcoin::hex_u32(version_mask_), true,
             out);
      return;
    }
  }

  double previous = 0;
  double credited = required_difficulty(job_id, &previous);
  const mining::ShareCheck check = mining::check_share(*job, solution, bitcoin::target_from_difficulty(credited));
  if (!check.meets_share_target) {
    if (previous > 0 && check.hash_difficulty >= previous &&
        bitcoin::hash_meets_target(check.hash, bitcoin::target_from_difficulty(previous))) {
      credited = previous;  // submitted under the difficulty that was in force a moment ago
    } else if (!check.meets_network_target) {
      reject(m, worker_name, kLowDifficulty, "Low difficulty share", true, out);
      return;
    }
  }
  // Pool-wide: the seen-set is shared by every session and every job on this tip (and by SOLO
  // jobs built from them), so a share replayed on another connection, extranonce1 or job id is
  // still a duplicate. Only shares that met their difficulty go in: made-up nonces cost the
  // attacker nothing and must cost the pool no memory.
  if (!job->seen->insert(check.hash)) {
    reject(m, worker_name, kDuplicate, "Duplicate share", true, out);
    return;
  }

  AcceptedShare share;
  share.address = worker->second.address;
  share.worker = worker_name;
  share.payout_script = worker->second.payout_script;
  share.difficulty = credited;
  share.hash_difficulty = check.hash_difficulty;
  share.height = job->height;
  share.job_id = job_id;
  share.hash = check.hash;
  share.is_block = check.meets_network_target;
  share.time = std::chrono::system_clock::now();
  share.remote = remote_;
  if (share.is_block) host_.submit_block(job, solution, share);  // before anything else

  ++accepted_;
  out.push_back({result_line(m.id, "true"), nullptr, std::move(share)});
  const double before = vardiff_.difficulty();
  if (const auto changed = vardiff_.on_share(host_.now())) {
    previous_difficulty_ = before;
    difficulty_changed_at_ = host_.now();
    apply_difficulty(changed, out);
  }
}

}  // namespace pool::stratum
