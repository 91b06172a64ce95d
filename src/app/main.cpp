// poold: the mining pool daemon's entry point: command line, configuration, logging, signals.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "app/audit_command.h"
#include "app/check_config.h"
#include "app/pool_app.h"
#include "app/recredit_command.h"
#include "app/self_check.h"
#include "app/version.h"

int main(int argc, char** argv) {
  CLI::App cli{"bitcoin-mining-pool: a Stratum v1 Bitcoin mining pool", "poold"};
  std::string config_path;
  bool self_check = false, check_config = false, list_keys = false, audit = false;
  cli.add_option("--config,-c", config_path, "INI configuration file");
  cli.add_flag("--check-config", check_config, "validate the configuration file and exit");
  cli.add_flag("--audit", audit,
               "run the ledger audit against the database and the wallet; exit 0 only when the books balance");
  int64_t recredit_id = 0;
  cli.add_option("--recredit-payment", recredit_id,
                 "credit a sent payout back to its miners when its transaction will never pay (abandoned, or "
                 "conflicted at payout_confirmations depth); refuses otherwise")
      ->check(CLI::PositiveNumber);
  cli.add_flag("--self-check", self_check, "verify hashing and targets on known vectors and exit");
  cli.add_flag("--list-keys", list_keys, "print every configuration key with its default as a Markdown table");
  cli.set_version_flag("--version,-V", std::string(pool::app::kName) + " " + pool::app::kVersion);
  CLI11_PARSE(cli, argc, argv);

  if (self_check) {
    const auto result = pool::app::run_self_check();
    for (const auto& line : result.lines) std::cout << line << '\n';
    std::cout << (result.ok ? "self-check passed" : "self-check FAILED") << std::endl;
    return result.ok ? 0 : 1;
  }
  if (list_keys) {
    std::cout << "| section | key | type | default | meaning |\n|---|---|---|---|---|\n";
    for (const auto& k : pool::app::config_keys()) {
      std::cout << "| `[" << k.section << "]` | `" << k.key << "` | " << k.type << " | `" << k.default_text << "` | "
                << k.description << " |\n";
    }
    return 0;
  }
  if (config_path.empty()) {
    std::cerr << "poold: --config FILE is required (see examples/config.ini)\n";
    return 2;
  }
  pool::app::Config config;
  try {
    config = pool::app::load_config(config_path);
  } catch (const pool::app::ConfigError& e) {
    std::cerr << "poold: configuration error: " << e.what() << '\n';
    return 2;
  }
  if (audit) return pool::app::run_audit_command(config, std::cout);
  if (recredit_id > 0) {
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    return pool::app::run_recredit_command(config, recredit_id, std::cout);
  }
  if (check_config) {
    std::cout << config_path << ": configuration is valid" << std::endl;
    return pool::app::report_environment(config, std::cout) ? 0 : 1;
  }
  spdlog::set_level(spdlog::level::from_str(config.log.level));
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");

  // Signals are taken by this thread alone (sigtimedwait); every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // re-read the configuration (systemctl reload)
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Every miner is a file descriptor: allow as many as the system lets us.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  std::atomic<bool> stop{false}, reload{false};
  pool::app::PoolApp app(config);
  spdlog::info("{} {} starting with {}", pool::app::kName, pool::app::kVersion, config_path);
  // While waiting for the node, a signal must still stop us: watch for it on a helper thread.
  std::thread signal_watch([&] {
    timespec poll{0, 200 * 1000 * 1000};
    while (!stop) {
      const int signal = sigtimedwait(&signals, nullptr, &poll);
      if (signal == SIGHUP) {
        reload = true;
      } else if (signal > 0) {
        stop = true;
      }
    }
  });
  bool started = false;
  try {
    started = app.start(stop);
  } catch (const std::exception& e) {
    spdlog::error("poold: cannot start: {}", e.what());
    stop = true;
    signal_watch.join();
    return 1;
  }
  auto next_monitor = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (started && !stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (reload.exchange(false)) {
      // A bad file keeps the running configuration; the message names the file, line and key.
      try {
        spdlog::info("{}", app.reload(pool::app::load_config(config_path)).summary());
      } catch (const pool::app::ConfigError& e) {
        spdlog::error("reload: {} (still running the previous configuration)", e.what());
      }
    }
    if (std::chrono::steady_clock::now() >= next_monitor) {
      spdlog::info("monitor: {}", app.monitor_line());
      app.sample_statistics();
      next_monitor += std::chrono::seconds(30);
    }
  }
  stop = true;
  signal_watch.join();
  spdlog::info("poold: shutting down");
  app.stop();
  spdlog::info("poold: stopped");
  return 0;
}
