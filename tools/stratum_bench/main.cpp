// stratum-bench: a load generator for any Stratum v1 pool. Opens N connections (spreading source
// addresses over 127.0.0.0/8 to pass 28k), subscribes and authorizes, submits real shares, and
// reports accepted shares/s, rejects, submit->reply latency percentiles, the time for a new
// block's notify to reach every session and, with --pool-pid, the pool's memory per connection
// and CPU time per accepted share. Loopback only, bounded in connections and time.
#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "node/rpc_client.h"
#include "tools/stratum_bench/bench_client.h"

namespace {

size_t rss_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  size_t total = 0, resident = 0;
  in >> total >> resident;
  return resident * 4096;
}

// User + system CPU seconds of a process, from fields 14 and 15 of /proc/PID/stat (clock ticks).
// The command name (field 2) may hold spaces, so fields are counted after its closing ')'.
double cpu_seconds_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

bool loopback(const std::string& host) { return host.rfind("127.", 0) == 0 || host == "::1" || host == "localhost"; }

double percentile(std::vector<uint32_t>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pool::bench;
  CLI::App cli{"stratum-bench: load generator for Stratum v1 pools (loopback only)", "stratum-bench"};
  BenchOptions o;
  int pool_pid = 0;
  int node_port = 0;
  std::string node_user = "pool", node_password = "pool", node_address;
  cli.add_option("--host", o.host, "pool address (loopback only)");
  cli.add_option("--port", o.port, "pool Stratum port");
  cli.add_option("-n,--connections", o.connections, "connections to open")->check(CLI::Range(1, 200000));
  cli.add_option("--local-ips", o.local_ips, "spread sources over 127.0.0.1..127.0.0.N")->check(CLI::Range(1, 250));
  cli.add_option("-t,--threads", o.threads, "client threads");
  cli.add_option("-w,--window", o.window, "submits in flight per connection (0: idle connections)");
  cli.add_option("-d,--duration", o.duration, "seconds of submitting")->check(CLI::Range(0.1, 600.0));
  cli.add_option("-r,--rate", o.rate, "offered shares/s in total (open loop; 0 = as fast as possible)");
  cli.add_option("-u,--user", o.user, "username (ADDRESS.worker)")->required();
  double hold = 0;
  cli.add_option("--hold", hold, "keep the connections open this many seconds before the submit phase");
  cli.add_option("--pool-pid", pool_pid, "the pool's PID, to report its RSS per connection and CPU time per share");
  cli.add_option("--node-port", node_port, "a regtest node's RPC port: mine a block and time the notify fan-out");
  cli.add_option("--node-user", node_user, "node RPC user");
  cli.add_option("--node-password", node_password, "node RPC password");
  cli.add_option("--node-address", node_address, "address for generatetoaddress (default: test node's test_generateempty)");
  CLI11_PARSE(cli, argc, argv);
  if (!loopback(o.host)) {
    std::cerr << "stratum-bench: only loopback targets are allowed (got " << o.host << ")\n";
    return 2;
  }
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);

  BenchCounters counters;
  BenchRun run(o, counters);
  const size_t rss_before = pool_pid ? rss_of(pool_pid) : 0;
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t ready = run.connect_all(std::chrono::seconds(120));
  const double connect_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("connections: %llu ready of %d in %.2f s (failed %llu)\n", static_cast<unsigned long long>(ready),
              o.connections, connect_s, static_cast<unsigned long long>(counters.failed.load()));
  if (pool_pid) {
    const size_t rss_after = rss_of(pool_pid);
    std::printf("pool RSS: %.1f MiB -> %.1f MiB, %.2f KiB per connection\n", rss_before / 1048576.0,
                rss_after / 1048576.0, ready ? (static_cast<double>(rss_after) - static_cast<double>(rss_before)) / 1024.0 / ready : 0.0);
  }
  if (hold > 0) std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(hold * 1000)));
  if (node_port) {
    pool::node::RpcOptions ro;
    ro.port = static_cast<uint16_t>(node_port);
    ro.user = node_user;
    ro.password = node_password;
    ro.timeout = std::chrono::milliseconds(120000);  // mining a block under 10,000 connections can be slow here
    pool::node::RpcClient node(ro);
    const uint64_t before = counters.clean_notifies;
    counters.first_clean_notify_ns = 0;
    const auto start = std::chrono::steady_clock::now();
    const int64_t start_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
    if (node_address.empty()) {
      node.call("test_generateempty", "[1,\"bcrt1q7pdhxnqa2sjkhfz5k5ass9j0y4j43v4g096q0d\"]");
    } else {
      node.call("generatetoaddress", "[1,\"" + node_address + "\"]");
    }
    while (counters.clean_notifies < before + ready &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const uint64_t got = counters.clean_notifies - before;
    std::printf("new block: %llu of %llu sessions notified; first %.2f ms, last %.2f ms after mining it (fan-out %.2f ms)\n",
                static_cast<unsigned long long>(got), static_cast<unsigned long long>(ready),
                (counters.first_clean_notify_ns - start_ns) / 1e6, (counters.last_clean_notify_ns - start_ns) / 1e6,
                (counters.last_clean_notify_ns - counters.first_clean_notify_ns) / 1e6);
  }
  if (o.window > 0) {
    const uint64_t a0 = counters.accepted, r0 = counters.rejected;
    const double cpu0 = pool_pid ? cpu_seconds_of(pool_pid) : 0;
    run.start_submitting();
    const auto s0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(o.duration * 1000)));
    run.stop_submitting();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    const uint64_t accepted = counters.accepted - a0, rejected = counters.rejected - r0;
    const double pool_cpu = pool_pid ? cpu_seconds_of(pool_pid) - cpu0 : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let in-flight replies land before closing
    auto lat = run.finish();
    std::printf("shares: %.0f accepted/s (%llu accepted, %llu rejected in %.1f s)\n", accepted / secs,
                static_cast<unsigned long long>(accepted), static_cast<unsigned long long>(rejected), secs);
    if (rejected > 0) {
      std::printf("rejects by code:");
      for (size_t i = 0; i < counters.rejects_by_code.size(); ++i) {
        if (counters.rejects_by_code[i]) std::printf(" %zu=%llu", 20 + i, static_cast<unsigned long long>(counters.rejects_by_code[i].load()));
      }
      std::printf("\n");
    }
    if (pool_pid && accepted > 0) {
      // The fairest efficiency figure on a machine shared with the load generator.
      std::printf("pool CPU: %.2f s over the submit phase, %.2f us per accepted share (%.0f%% of one core)\n", pool_cpu,
                  pool_cpu * 1e6 / static_cast<double>(accepted), 100.0 * pool_cpu / secs);
    }
    std::printf("submit->reply latency: p50 %.0f us, p99 %.0f us, p999 %.0f us (%zu samples)\n", percentile(lat, 0.5),
                percentile(lat, 0.99), percentile(lat, 0.999), lat.size());
  } else {
    run.finish();
  }
  return 0;
}
