#pragma once
// A SessionHost for fuzzing: one fixed job from a synthetic template, no I/O.
#include "mining/job_builder.h"
#include "mining/job_registry.h"
#include "stratum/session.h"

namespace pool::fuzz {

class FuzzHost : public stratum::SessionHost {
 public:
  FuzzHost() {
    auto t = std::make_shared<node::BlockTemplate>();
    t->version = 0x20000000;
    t->bits = 0x207fffff;
    t->target = *bitcoin::target_from_bits(t->bits);
    t->height = 500;
    t->coinbase_value = 5000000000;
    t->cur_time = t->min_time = 1700000000;
    t->rules = {"segwit"};
    job = std::make_shared<const mining::Job>(
        mining::build_job(t, bitcoin::from_hex("0014f05b734c1d54256ba454b53b08164f256558b2a8"), {}, "1", true));
    registry.add(job);
  }
  mining::JobPtr find_job(const std::string& id) override { return registry.find(id); }
  mining::JobPtr current_job() override { return registry.current(); }
  bitcoin::Network network() const override { return bitcoin::Network::kRegtest; }
  std::string claim_extranonce1(const std::string&) override { return "01020304"; }
  void release_extranonce1(const std::string&) override {}
  mining::JobPtr personalize(const mining::JobPtr& base, const bitcoin::Bytes& script, const std::string& suffix) override {
    auto job = std::make_shared<mining::Job>(mining::build_job(base->block_template, script, {}, base->id + suffix, base->clean_jobs));
    job->seen = base->seen;  // as the server does: a SOLO job shares its base job's duplicate set
    return job;
  }
  void submit_block(const mining::JobPtr&, const mining::Solution&, const stratum::AcceptedShare&) override {}
  void share_rejected(const std::string&, int, const std::string&) override {}
  double now() override { return clock += 0.01; }
  uint32_t unix_time() override { return 1700000100; }

  mining::JobRegistry registry;
  mining::JobPtr job;
  double clock = 0;
};

}  // namespace pool::fuzz
