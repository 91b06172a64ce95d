// poold: the mining pool daemon's entry point.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/self_check.h"
#include "app/version.h"

int main(int argc, char** argv) {
  CLI::App cli{"bitcoin-mining-pool: a Stratum v1 Bitcoin mining pool", "poold"};
  std::string config_path;
  bool self_check = false;
  cli.add_option("--config,-c", config_path, "INI configuration file");
  cli.add_flag("--self-check", self_check, "verify hashing and targets on known vectors and exit");
  cli.set_version_flag("--version,-V", std::string(pool::app::kName) + " " + pool::app::kVersion);
  CLI11_PARSE(cli, argc, argv);

  if (self_check) {
    const auto result = pool::app::run_self_check();
    for (const auto& line : result.lines) std::cout << line << '\n';
    std::cout << (result.ok ? "self-check passed" : "self-check FAILED") << std::endl;
    return result.ok ? 0 : 1;
  }
  std::cerr << "poold: the pool service arrives with the node, stratum and accounting issues; "
               "use --self-check or --version for now\n";
  return 2;
}
