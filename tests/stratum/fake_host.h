#pragma once
// A SessionHost for protocol tests: jobs built from a real regtest template, a controllable
// clock, and records of blocks and rejects.
#include <map>
#include <vector>

#include "mining/job_builder.h"
#include "mining/job_registry.h"
#include "stratum/session.h"
#include "support/vectors.h"

namespace pool::test {

class FakeHost : public stratum::SessionHost {
 public:
  /// With hard_network_target the template's bits are mainnet's 1d00ffff, so test shares are
  /// never blocks by accident; otherwise regtest's 207fffff, where about half of all hashes are.
  explicit FakeHost(bool hard_network_target = true) {
    auto t = std::make_shared<node::BlockTemplate>(
        node::parse_block_template(read_json_vector("regtest/gbt-with-4-txs.json")));
    if (hard_network_target) {
      t->bits = 0x1d00ffff;
      t->target = *bitcoin::target_from_bits(t->bits);
    }
    tmpl = t;
  }
  mining::JobPtr add_job(bool new_tip = false) {
    auto t = std::make_shared<node::BlockTemplate>(*tmpl);
    if (new_tip) t->previous_block_hash.data()[0] ^= static_cast<uint8_t>(++tips);
    tmpl = t;
    const bool clean = !registry.current() || registry.current()->prev_hash != t->previous_block_hash;
    mining::Job built =
        mining::build_job(t, bitcoin::from_hex("0014f05b734c1d54256ba454b53b08164f256558b2a8"), {}, registry.next_id(), clean);
    built.seen = registry.seen_set_for(built.prev_hash);  // as JobManager does: one set per tip
    auto job = std::make_shared<const mining::Job>(std::move(built));
    registry.add(job);
    return job;
  }
  mining::JobPtr find_job(const std::string& id) override { return registry.find(id); }
  mining::JobPtr current_job() override { return registry.current(); }
  bitcoin::Network network() const override { return bitcoin::Network::kRegtest; }
  std::string claim_extranonce1(const std::string& requested) override {
    if (requested.size() == 8 && bitcoin::is_hex(requested)) return requested;
    return "0000000" + std::to_string(++extranonces % 10);
  }
  void release_extranonce1(const std::string&) override {}
  mining::JobPtr personalize(const mining::JobPtr& base, const bitcoin::Bytes& script, const std::string& suffix) override {
    auto job = std::make_shared<const mining::Job>(mining::personalize_job(*base, script, {}, base->id + suffix));
    personal[job->id] = job;
    return job;
  }
  void submit_block(const mining::JobPtr& job, const mining::Solution& solution,
                    const stratum::AcceptedShare& share) override {
    blocks.push_back(share);
    block_jobs.push_back(job);
    block_solutions.push_back(solution);
  }
  void share_rejected(const std::string&, int code, const std::string&) override { rejects.push_back(code); }
  double now() override { return clock; }
  uint32_t unix_time() override { return wall; }

  std::shared_ptr<const node::BlockTemplate> tmpl;
  mining::JobRegistry registry;
  std::vector<stratum::AcceptedShare> blocks;  // with the job and solution each block was found on
  std::vector<mining::JobPtr> block_jobs;
  std::vector<mining::Solution> block_solutions;
  std::map<std::string, mining::JobPtr> personal;  // SOLO jobs built by personalize, by id
  std::vector<int> rejects;
  double clock = 1000;
  uint32_t wall = 1795475800;
  int tips = 0;
  int extranonces = 0;
};

}  // namespace pool::test
