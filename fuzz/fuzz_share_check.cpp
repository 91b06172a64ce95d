// libFuzzer target: a miner's solution fields (extranonce2, ntime, nonce, version bits) through
// the submit path and the share checker. A share judged valid must really hash below the target
// it was judged against.
#include <cstdint>
#include <cstring>

#include "bitcoin/target.h"
#include "fuzz/fuzz_host.h"
#include "mining/share_validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 20) return 0;
  pool::fuzz::FuzzHost host;
  pool::mining::Solution s;
  s.extranonce1 = {1, 2, 3, 4};
  s.extranonce2.assign(data, data + 8);
  uint32_t fields[3];
  std::memcpy(fields, data + 8, sizeof fields);
  s.ntime = fields[0];
  s.nonce = fields[1];
  int32_t version = 0;
  if (!pool::mining::rolled_version(host.job->version, fields[2], 0x1fffe000, &version)) return 0;
  s.version = version;
  const double difficulty = size > 20 ? 1e-9 * (1 + data[20]) : 1e-9;
  const auto target = pool::bitcoin::target_from_difficulty(difficulty);
  const auto check = pool::mining::check_share(*host.job, s, target);
  if (check.meets_share_target != pool::bitcoin::hash_meets_target(check.hash, target)) __builtin_trap();
  if (check.header.hash() != check.hash) __builtin_trap();

  // The same solution as a Stratum line through the session.
  pool::stratum::SessionConfig config;
  config.vardiff.initial = difficulty;
  pool::stratum::Session session(host, config, "127.0.0.1");
  std::vector<pool::stratum::Outgoing> out;
  session.handle_line(R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]})", out);
  session.handle_line(R"({"id":2,"method":"mining.subscribe","params":[]})", out);
  session.handle_line(R"({"id":3,"method":"mining.authorize","params":["bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.f","x"]})", out);
  out.clear();
  session.handle_line(R"({"id":4,"method":"mining.submit","params":["bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.f","1",")" +
                          pool::bitcoin::to_hex(s.extranonce2) + "\",\"" + pool::bitcoin::hex_u32(s.ntime) + "\",\"" +
                          pool::bitcoin::hex_u32(s.nonce) + "\",\"" + pool::bitcoin::hex_u32(fields[2]) + "\"]}",
                      out);
  const bool accepted = !out.empty() && out[0].share.has_value();
  const bool in_range = s.ntime >= host.job->min_time && s.ntime <= host.unix_time() + 7200;
  if (accepted && !(in_range && (check.meets_share_target || check.meets_network_target))) __builtin_trap();
  if (!accepted && in_range && check.meets_share_target) __builtin_trap();
  return 0;
}
