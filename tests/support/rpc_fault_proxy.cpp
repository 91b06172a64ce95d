#include "support/rpc_fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <stdexcept>

namespace pool::test {

namespace {

bool write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

/// Reads one HTTP message (headers and a Content-Length body) from `fd`; `buffer` keeps what
/// follows it. Empty when the peer closed or the message is malformed.
std::string read_message(int fd, std::string& buffer) {
  size_t header_end;
  while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    char chunk[4096];
    const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
    if (r <= 0) return {};
    buffer.append(chunk, static_cast<size_t>(r));
  }
  std::string headers = buffer.substr(0, header_end);
  std::transform(headers.begin(), headers.end(), headers.begin(), [](unsigned char c) { return std::tolower(c); });
  size_t length = 0;
  if (const size_t at = headers.find("content-length:"); at != std::string::npos) {
    length = std::stoul(headers.substr(at + 15));
  }
  const size_t total = header_end + 4 + length;
  while (buffer.size() < total) {
    char chunk[4096];
    const ssize_t r = ::recv(fd, chunk, sizeof chunk, 0);
    if (r <= 0) return {};
    buffer.append(chunk, static_cast<size_t>(r));
  }
  std::string message = buffer.substr(0, total);
  buffer.erase(0, total);
  return message;
}

std::string method_of(const std::string& request) {
  const size_t body = request.find("\r\n\r\n");
  rapidjson::Document doc;
  doc.Parse(request.c_str() + body + 4, request.size() - body - 4);
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("method") || !doc["method"].IsString()) return "?";
  return doc["method"].GetString();
}

}  // namespace

RpcFaultProxy::RpcFaultProxy(std::string upstream_host, uint16_t upstream_port)
    : upstream_host_(std::move(upstream_host)), upstream_port_(upstream_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("fault proxy: cannot listen on loopback");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

RpcFaultProxy::~RpcFaultProxy() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  {
    std::lock_guard lock(mutex_);
    for (const int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
    ++release_generation_;
  }
  released_cv_.notify_all();
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
  ::close(listen_fd_);
}

void RpcFaultProxy::set_fault(const std::string& method, Fault fault, std::chrono::milliseconds duration, int times) {
  std::lock_guard lock(mutex_);
  rules_[method] = Rule{fault, duration, times};
}

void RpcFaultProxy::clear_faults() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

void RpcFaultProxy::release() {
  {
    std::lock_guard lock(mutex_);
    ++release_generation_;
  }
  released_cv_.notify_all();
}

int RpcFaultProxy::received(const std::string& method) const {
  std::lock_guard lock(mutex_);
  const auto it = received_.find(method);
  return it == received_.end() ? 0 : it->second;
}

int RpcFaultProxy::forwarded(const std::string& method) const {
  std::lock_guard lock(mutex_);
  const auto it = forwarded_.find(method);
  return it == forwarded_.end() ? 0 : it->second;
}

std::optional<std::chrono::steady_clock::time_point> RpcFaultProxy::first_arrival(const std::string& method) const {
  std::lock_guard lock(mutex_);
  const auto it = first_arrival_.find(method);
  if (it == first_arrival_.end()) return std::nullopt;
  return it->second;
}

void RpcFaultProxy::reset_log() {
  std::lock_guard lock(mutex_);
  received_.clear();
  forwarded_.clear();
  first_arrival_.clear();
}

RpcFaultProxy::Rule RpcFaultProxy::take_rule(const std::string& method) {
  std::lock_guard lock(mutex_);
  ++received_[method];
  first_arrival_.try_emplace(method, std::chrono::steady_clock::now());
  auto it = rules_.find(method);
  if (it == rules_.end()) it = rules_.find("*");
  if (it == rules_.end() || it->second.times == 0) return {};
  if (it->second.times > 0) --it->second.times;
  return it->second;
}

bool RpcFaultProxy::wait_released(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  const uint64_t generation = release_generation_;
  const auto released = [&] { return stopping_ || release_generation_ != generation; };
  if (limit.count() == 0) {
    released_cv_.wait(lock, released);
    return true;
  }
  return released_cv_.wait_for(lock, limit, released);
}

void RpcFaultProxy::accept_loop() {
  while (!stopping_) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) return;
      continue;
    }
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    client_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

std::string RpcFaultProxy::forward(const std::string& raw_request, bool& ok) {
  ok = false;
  const int up = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(upstream_port_);
  ::inet_pton(AF_INET, upstream_host_.c_str(), &addr.sin_addr);
  std::string reply;
  if (::connect(up, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      write_all(up, raw_request.data(), raw_request.size())) {
    ok = true;  // it reached the node
    std::string buffer;
    reply = read_message(up, buffer);
  }
  ::close(up);
  return reply;
}

void RpcFaultProxy::serve(int fd) {
  std::string buffer;
  while (!stopping_) {
    const std::string request = read_message(fd, buffer);
    if (request.empty()) break;
    const std::string method = method_of(request);
    const Rule rule = take_rule(method);
    if (rule.fault == Fault::kRefuse) break;
    if (rule.fault == Fault::kHang) {
      wait_released(rule.duration);
      break;
    }
    if (rule.fault == Fault::kDelay && wait_released(rule.duration) && stopping_) break;
    bool reached = false;
    const std::string reply = forward(request, reached);
    if (reached) {
      std::lock_guard lock(mutex_);
      ++forwarded_[method];
    }
    if (reply.empty() || rule.fault == Fault::kDropReply) break;
    if (rule.fault == Fault::kHalfReply) {
      write_all(fd, reply.data(), reply.size() / 2);
      wait_released(rule.duration);
      break;
    }
    if (!write_all(fd, reply.data(), reply.size())) break;
  }
  std::lock_guard lock(mutex_);
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  client_fds_.erase(std::remove(client_fds_.begin(), client_fds_.end(), fd), client_fds_.end());
}

}  // namespace pool::test
