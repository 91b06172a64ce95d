// libFuzzer target: arbitrary bytes, split into lines, through the Stratum line codec and the
// session's dispatcher (subscribe/authorize/submit/configure/...). Must never crash, hang or
// leak; every reply must be one well-formed line.
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_host.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pool::fuzz::FuzzHost host;
  pool::stratum::SessionConfig config;
  config.vardiff.initial = 1e-9;
  pool::stratum::Session session(host, config, "127.0.0.1");
  std::vector<pool::stratum::Outgoing> out;
  // A realistic prefix so the fuzzer reaches mining.submit quickly.
  session.handle_line(R"({"id":1,"method":"mining.subscribe","params":[]})", out);
  session.handle_line(R"({"id":2,"method":"mining.authorize","params":["bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d.f","x"]})", out);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    const size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    out.clear();
    if (!session.handle_line(line, out)) break;
    for (const auto& o : out) {
      const std::string text = o.line + (o.shared ? *o.shared : std::string());  // written in this order
      if (text.empty() || text.back() != '\n' || text.find('\n') != text.size() - 1) __builtin_trap();
    }
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  return 0;
}
