// pool-miner: the built-in CPU miner for demos and tests. Speaks Stratum v1 like a real miner:
// configure (BIP310 version rolling), subscribe, authorize, follows set_difficulty/notify, rolls
// extranonce2 and version bits, hashes with a SHA-256 midstate (SHA-NI through OpenSSL), and
// submits shares. Reconnects when the pool goes away.
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "tools/minerlib/line_client.h"
#include "tools/minerlib/miner_work.h"
#include "util/json.h"

namespace {

std::atomic<bool> g_stop{false};  // set by SIGINT/SIGTERM: the signal handler's only way out
void on_signal(int) { g_stop = true; }

struct Work {
  std::mutex mutex;
  std::shared_ptr<const pool::minerlib::MinerJob> job;
  pool::bitcoin::Bytes extranonce1;
  size_t extranonce2_size = 8;
  double difficulty = 1;
  uint32_t version_mask = 0;
  uint64_t generation = 0;  // bumps on every new job or difficulty
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"pool-miner: a small Stratum v1 CPU miner", "pool-miner"};
  std::string url = "stratum+tcp://127.0.0.1:3333", user, password = "x";
  int threads = 1;
  double seconds = 0;
  cli.add_option("-o,--url", url, "pool URL (stratum+tcp://HOST:PORT)");
  cli.add_option("-u,--user", user, "username: ADDRESS.worker")->required();
  cli.add_option("-p,--password", password, "password");
  cli.add_option("-t,--threads", threads, "hashing threads")->check(CLI::Range(1, 256));
  cli.add_option("--seconds", seconds, "stop after this many seconds (0 = run until interrupted)");
  CLI11_PARSE(cli, argc, argv);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  const std::string hostport = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  const std::string host = hostport.substr(0, hostport.rfind(':'));
  const uint16_t port = static_cast<uint16_t>(std::stoi(hostport.substr(hostport.rfind(':') + 1)));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  std::atomic<uint64_t> hashes{0}, accepted{0}, rejected{0};

  while (!g_stop && (seconds == 0 || std::chrono::steady_clock::now() < deadline)) {
    std::unique_ptr<pool::minerlib::LineClient> client;
    try {
      client = std::make_unique<pool::minerlib::LineClient>(host, port);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pool-miner: %s; retrying in 2 s\n", e.what());
      std::this_thread::sleep_for(std::chrono::seconds(2));
      continue;
    }
    std::mutex send_mutex;
    auto send = [&](const std::string& line) {
      std::lock_guard lock(send_mutex);
      client->send(line);
    };
    send(R"({"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"1fffe000","version-rolling.min-bit-count":2}]})" "\n"
         R"({"id":2,"method":"mining.subscribe","params":["pool-miner/1.0"]})" "\n"
         R"({"id":3,"method":"mining.authorize","params":[")" + user + R"(",")" + password + R"("]})" "\n");
    Work work;
    std::atomic<bool> connected{true};
    std::atomic<uint64_t> next_id{100};
    std::vector<std::thread> miners;
    for (int t = 0; t < threads; ++t) {
      miners.emplace_back([&, t] {
        uint64_t seen = ~0ULL;
        std::shared_ptr<const pool::minerlib::MinerJob> job;
        pool::bitcoin::Bytes en1, en2;
        pool::bitcoin::Target target;
        uint32_t mask = 0, roll = 0, counter = 0, ntime = 0;
        while (connected && !g_stop) {
          {
            std::lock_guard lock(work.mutex);
            if (!work.job) {
              // nothing yet
            } else if (work.generation != seen) {
              seen = work.generation;
              job = work.job;
              en1 = work.extranonce1;
              en2.assign(work.extranonce2_size, 0);
              target = pool::bitcoin::target_from_difficulty(work.difficulty);
              mask = work.version_mask;
              ntime = job->ntime;
            }
          }
          if (!job) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // waiting for the first job
            continue;
          }
          // extranonce2 = thread number and a counter, so threads never overlap.
          ++counter;
          for (size_t i = 0; i < std::min<size_t>(4, en2.size()); ++i) en2[en2.size() - 1 - i] = static_cast<uint8_t>(counter >> (8 * i));
          if (en2.size() > 4) en2[0] = static_cast<uint8_t>(t);
          const uint32_t rolled = mask ? ((roll++ << 13) & mask) : 0;
          const uint32_t version = (job->version & ~mask) | rolled;
          auto header = pool::minerlib::build_header(*job, en1, en2, ntime, 0, version);
          uint64_t done = 0;
          for (uint32_t start = 0; connected && !g_stop; start += 1u << 20) {
            const auto nonce = pool::minerlib::scan_nonces(header, target, start, 1u << 20, &done);
            if (nonce) {
              send(pool::minerlib::submit_line(std::to_string(next_id++), user, *job, en2, ntime, *nonce, rolled));
              break;
            }
            {
              std::lock_guard lock(work.mutex);
              if (work.generation != seen) break;
            }
            if (start > 0xfff00000u) break;
          }
          hashes += done;
        }
      });
    }
    try {
      auto last_report = std::chrono::steady_clock::now();
      uint64_t last_hashes = 0;
      while (!g_stop && (seconds == 0 || std::chrono::steady_clock::now() < deadline)) {
        const auto line = client->read_line(std::chrono::milliseconds(200));
        if (line) {
          auto d = pool::util::parse_json(*line);
          if (d.HasMember("method") && d["method"].IsString()) {
            const std::string m = d["method"].GetString();
            std::lock_guard lock(work.mutex);
            if (m == "mining.notify") {
              work.job = std::make_shared<const pool::minerlib::MinerJob>(pool::minerlib::parse_notify(d["params"]));
              ++work.generation;
            } else if (m == "mining.set_difficulty") {
              work.difficulty = d["params"][0].GetDouble();
              ++work.generation;
            } else if (m == "mining.set_version_mask") {
              work.version_mask = static_cast<uint32_t>(std::stoul(d["params"][0].GetString(), nullptr, 16));
            } else if (m == "mining.set_extranonce") {
              work.extranonce1 = pool::bitcoin::from_hex(d["params"][0].GetString());
              work.extranonce2_size = d["params"][1].GetUint();
            } else if (m == "client.get_version") {
              send(R"({"id":)" + pool::util::to_json(d["id"]) + R"(,"result":"pool-miner/1.0","error":null})" "\n");
            }
          } else if (d.HasMember("id") && d["id"].IsInt()) {
            const int id = d["id"].GetInt();
            std::lock_guard lock(work.mutex);
            if (id == 1 && d["result"].IsObject() && d["result"].HasMember("version-rolling.mask")) {
              work.version_mask = static_cast<uint32_t>(std::stoul(d["result"]["version-rolling.mask"].GetString(), nullptr, 16));
            } else if (id == 2 && d["result"].IsArray()) {
              work.extranonce1 = pool::bitcoin::from_hex(d["result"][1].GetString());
              work.extranonce2_size = d["result"][2].GetUint();
            } else if (id == 3 && !(d["result"].IsBool() && d["result"].GetBool())) {
              std::fprintf(stderr, "pool-miner: authorization refused: %s\n", line->c_str());
              g_stop = true;
            } else if (id >= 100) {
              if (d["result"].IsBool() && d["result"].GetBool()) ++accepted; else ++rejected;
            }
          }
        }
        const auto now = std::chrono::steady_clock::now();
        if (now - last_report >= std::chrono::seconds(10)) {
          const double secs = std::chrono::duration<double>(now - last_report).count();
          std::printf("pool-miner %s: %.2f MH/s, accepted %llu, rejected %llu\n", user.c_str(),
                      static_cast<double>(hashes - last_hashes) / secs / 1e6, static_cast<unsigned long long>(accepted.load()),
                      static_cast<unsigned long long>(rejected.load()));
          std::fflush(stdout);
          last_report = now;
          last_hashes = hashes;
        }
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pool-miner: %s; reconnecting\n", e.what());
    }
    connected = false;
    for (auto& m : miners) m.join();
  }
  std::printf("pool-miner %s: done, accepted %llu, rejected %llu\n", user.c_str(),
              static_cast<unsigned long long>(accepted.load()), static_cast<unsigned long long>(rejected.load()));
  return 0;
}
