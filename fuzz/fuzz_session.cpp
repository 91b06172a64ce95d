// libFuzzer target: one whole Session driven the way a connection drives it. The input is split
// into lines fed in order; the host serves real jobs built from Bitcoin Core's regtest template
// (fuzz/vector_host.h), so submits reach the share checks. Lines that start with a control byte
// are events between the miner's lines instead:
//   0x01 a new job on the same tip          0x02 a new tip (older jobs go stale)
//   0x03 a tick, <next byte> seconds later  0x04 a new extranonce1 (mining.set_extranonce)
//   0x05 the pool's version mask becomes <next 4 bytes, big-endian>
// An input that starts with 0x7f <flags> picks the mode first: bit 0 SOLO, bit 1 Core's regtest
// bits (nearly every share is a block), bit 2 a 4-byte extranonce2.
// Invariants a pool relies on, besides no crash, leak or UB under the sanitizers: every output is
// one JSON object on one line; the output for one line or event is bounded (kFixedOutput plus 4
// bytes per input byte, since some errors quote the input); a share is accepted at most once
// per header hash, and only when its hash meets the difficulty it is credited at (or is a block).
#include <rapidjson/document.h>

#include <cstdint>
#include <cstdio>
#include <set>
#include <string_view>

#include "fuzz/vector_host.h"

namespace {

using pool::stratum::Outgoing;

constexpr size_t kFixedOutput = 32 * 1024;

void check(const std::vector<Outgoing>& out, size_t budget, std::set<std::string>& accepted) {
  size_t bytes = 0;
  for (const auto& o : out) {
    const std::string text = o.line + (o.shared ? *o.shared : std::string());  // written in this order
    bytes += text.size();
    if (text.empty() || text.back() != '\n' || text.find('\n') != text.size() - 1) {
      std::fprintf(stderr, "not one line: %s\n", text.c_str());
      __builtin_trap();
    }
    rapidjson::Document d;
    d.Parse(text.data(), text.size() - 1);
    if (d.HasParseError() || !d.IsObject()) {
      std::fprintf(stderr, "not a JSON object: %s\n", text.c_str());
      __builtin_trap();
    }
    if (o.share) {
      if (!accepted.insert(o.share->hash.hex()).second) {
        std::fprintf(stderr, "accepted twice: %s\n", o.share->hash.hex().c_str());
        __builtin_trap();
      }
      const auto target = pool::bitcoin::target_from_difficulty(o.share->difficulty);
      if (!o.share->is_block && !pool::bitcoin::hash_meets_target(o.share->hash, target)) {
        std::fprintf(stderr, "credited above its hash: %s at %g\n", o.share->hash.hex().c_str(), o.share->difficulty);
        __builtin_trap();
      }
    }
  }
  if (bytes > budget) {
    std::fprintf(stderr, "output of %zu bytes over the budget of %zu\n", bytes, budget);
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  uint8_t flags = 0;
  if (input.size() >= 2 && static_cast<uint8_t>(input[0]) == 0x7f) {
    flags = static_cast<uint8_t>(input[1]);
    input.remove_prefix(2);
  }
  pool::stratum::SessionConfig config;
  config.solo = flags & 1;
  config.extranonce2_size = flags & 4 ? 4 : 8;
  config.vardiff.initial = 1e-9;
  config.vardiff.minimum = 1e-9;
  pool::fuzz::VectorHost host(flags & 2, config.extranonce2_size);
  pool::stratum::Session session(host, config, "127.0.0.1");
  std::vector<Outgoing> out;
  std::set<std::string> accepted;
  std::shared_ptr<const std::string> notify;
  while (!input.empty()) {
    const size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    out.clear();
    bool keep = true;
    const uint8_t control = line.empty() ? 0 : static_cast<uint8_t>(line[0]);
    if (control == 0x01 || control == 0x02) {
      const auto job = host.add_job(control == 0x02);
      notify = std::make_shared<const std::string>(pool::stratum::notify_line(*job, job->clean_jobs));
      session.on_new_job(job, notify, out);
    } else if (control == 0x03) {
      host.clock += line.size() > 1 ? static_cast<uint8_t>(line[1]) : 1;
      session.on_tick(out);
    } else if (control == 0x04) {
      session.change_extranonce(out);
    } else if (control == 0x05) {
      uint32_t mask = 0;
      for (size_t i = 1; i < 5 && i < line.size(); ++i) mask = mask << 8 | static_cast<uint8_t>(line[i]);
      session.change_version_mask(mask, out);
    } else {
      host.clock += 0.5;  // miners' lines arrive over time, so vardiff and grace periods move
      keep = session.handle_line(line, out);
    }
    check(out, kFixedOutput + 4 * line.size(), accepted);
    if (!keep || nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  return 0;
}
