#pragma once
// Test helper: runs the real poold binary as a child process (optionally logging to a file) and
// connects a miner once it listens.
#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>

#include "tools/minerlib/line_client.h"

namespace pool::test {

/// A free loopback TCP port (bound and released).
uint16_t free_port();

/// Starts `poold_path --config config_path` (stdout and stderr to `log_path` when given) and
/// returns its pid and a miner connection once it listens on `port` (null when it never did).
std::pair<pid_t, std::unique_ptr<minerlib::LineClient>> start_poold(const std::string& poold_path,
                                                                    const std::string& config_path, uint16_t port,
                                                                    const std::string& log_path = "");

}  // namespace pool::test
