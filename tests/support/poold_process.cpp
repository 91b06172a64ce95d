#include "support/poold_process.h"

#include <fcntl.h>
#include <spawn.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pool::test {

uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

std::pair<pid_t, std::unique_ptr<minerlib::LineClient>> start_poold(const std::string& poold_path,
                                                                    const std::string& config_path, uint16_t port,
                                                                    const std::string& log_path) {
  std::string path = poold_path, flag = "--config", cfg = config_path;
  char* argv[] = {path.data(), flag.data(), cfg.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  }
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, poold_path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return {0, nullptr};
  std::unique_ptr<minerlib::LineClient> client;
  for (int attempt = 0; attempt < 200 && !client; ++attempt) {
    try {
      client = std::make_unique<minerlib::LineClient>("127.0.0.1", port);
    } catch (const std::runtime_error&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // waiting for the child to listen
    }
  }
  return {pid, std::move(client)};
}

}  // namespace pool::test
