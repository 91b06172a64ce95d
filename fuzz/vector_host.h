#pragma once
// A SessionHost for driving a whole Session: real jobs built from Bitcoin Core's regtest
// template (tests/vectors/regtest/gbt-with-4-txs.json), new jobs on the same tip and new tips
// (older jobs stale) on demand, a clock the caller advances, extranonce1 claims handled as the
// server does (a requested, free, well-formed one is resumed). No I/O after construction.
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "mining/job_builder.h"
#include "mining/job_registry.h"
#include "node/block_template.h"
#include "stratum/session.h"
#include "util/json.h"

namespace pool::fuzz {

/// The regtest template, read once per process.
inline std::shared_ptr<const node::BlockTemplate> regtest_template() {
  static const auto parsed = [] {
    std::ifstream in(std::string(POOL_VECTORS_DIR) + "/regtest/gbt-with-4-txs.json");
    std::stringstream s;
    s << in.rdbuf();
    if (s.str().empty()) throw std::runtime_error("cannot read " POOL_VECTORS_DIR "/regtest/gbt-with-4-txs.json");
    const auto doc = util::parse_json(s.str());
    return std::make_shared<const node::BlockTemplate>(node::parse_block_template(doc));
  }();
  return parsed;
}

/// Owns the live jobs, the clock and the claimed extranonces of one fuzz run.
class VectorHost : public stratum::SessionHost {
 public:
  /// `network_bits` false: the template's bits are raised to 0x1d00ffff so shares are judged
  /// against the share target alone; true: Core's regtest bits (nearly every share is a block).
  VectorHost(bool network_bits, size_t extranonce2_size) : network_bits_(network_bits) {
    coinbase_.extranonce2_size = extranonce2_size;
    base_ = regtest_template();
    if (!network_bits_) {
      auto t = std::make_shared<node::BlockTemplate>(*base_);
      t->bits = 0x1d00ffff;
      t->target = *bitcoin::target_from_bits(t->bits);
      base_ = t;
    }
    add_job(true);
  }

  /// A new job: on the same tip (older jobs stay valid) or on a new tip (they go stale).
  mining::JobPtr add_job(bool new_tip) {
    if (new_tip && registry.current()) {
      auto t = std::make_shared<node::BlockTemplate>(*base_);
      t->height = base_->height + 1;
      t->previous_block_hash.data()[0] ^= 0x5a;
      t->previous_block_hash.data()[1] = static_cast<uint8_t>(++tips_);
      t->previous_block_hash.data()[2] = static_cast<uint8_t>(tips_ >> 8);
      base_ = t;
    }
    mining::Job built = mining::build_job(base_, payout_script(), coinbase_, registry.next_id(), new_tip);
    built.seen = registry.seen_set_for(built.prev_hash);  // as JobManager does: one set per tip
    auto job = std::make_shared<const mining::Job>(std::move(built));
    registry.add(job);
    return job;
  }

  mining::JobPtr find_job(const std::string& id) override { return registry.find(id); }
  mining::JobPtr current_job() override { return registry.current(); }
  bitcoin::Network network() const override { return bitcoin::Network::kRegtest; }
  std::string claim_extranonce1(const std::string& requested) override {
    if (requested.size() == 8 && bitcoin::is_hex(requested)) {
      std::string lower = requested;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (in_use_.insert(lower).second) return lower;
    }
    while (true) {
      const std::string candidate = bitcoin::hex_u32(next_extranonce_++);
      if (in_use_.insert(candidate).second) return candidate;
    }
  }
  void release_extranonce1(const std::string& extranonce1) override { in_use_.erase(extranonce1); }
  mining::JobPtr personalize(const mining::JobPtr& base, const bitcoin::Bytes& script, const std::string& suffix) override {
    return std::make_shared<const mining::Job>(
        mining::build_job(base->block_template, script, coinbase_, base->id + suffix, base->clean_jobs));
  }
  void submit_block(const mining::JobPtr&, const mining::Solution&, const stratum::AcceptedShare&) override { ++blocks; }
  void share_rejected(const std::string&, int, const std::string&) override {}
  double now() override { return clock; }
  uint32_t unix_time() override { return base_->cur_time + static_cast<uint32_t>(clock); }

  static bitcoin::Bytes payout_script() {
    return bitcoin::from_hex("0014f05b734c1d54256ba454b53b08164f256558b2a8");
  }

  mining::JobRegistry registry;
  double clock = 0;
  uint64_t blocks = 0;

 private:
  bool network_bits_;
  mining::CoinbaseOptions coinbase_;
  std::shared_ptr<const node::BlockTemplate> base_;
  std::set<std::string> in_use_;
  uint32_t next_extranonce_ = 0x01020304;
  uint32_t tips_ = 0;
};

}  // namespace pool::fuzz
