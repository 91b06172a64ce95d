#pragma once
// Test helper: runs the process out of file descriptors (RLIMIT_NOFILE lowered to just above
// what is open, the rest filled with /dev/null) until release() or destruction, and a loopback
// client whose socket was made beforehand, so its connect() waits for the server's accept().
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace pool::test {

/// Owns the filler descriptors and the lowered limit.
class DescriptorExhaustion {
 public:
  DescriptorExhaustion() {
    if (::getrlimit(RLIMIT_NOFILE, &old_) != 0) throw std::runtime_error("getrlimit");
    const int probe = ::dup(0);
    ::close(probe);
    rlimit low = old_;
    low.rlim_cur = static_cast<rlim_t>(probe + 4);
    if (::setrlimit(RLIMIT_NOFILE, &low) != 0) throw std::runtime_error("setrlimit");
    for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) filler_.push_back(fd);
  }
  ~DescriptorExhaustion() { release(); }
  void release() {
    for (int fd : filler_) ::close(fd);
    filler_.clear();
    ::setrlimit(RLIMIT_NOFILE, &old_);
  }

 private:
  rlimit old_{};
  std::vector<int> filler_;
};

/// A blocking loopback TCP client on a socket made at construction.
class EarlySocket {
 public:
  EarlySocket() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket");
  }
  ~EarlySocket() { ::close(fd_); }
  bool connect(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  bool send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  /// What arrives within `timeout` (one read), or "" on timeout or close.
  std::string receive(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
  }

 private:
  int fd_;
};

}  // namespace pool::test
