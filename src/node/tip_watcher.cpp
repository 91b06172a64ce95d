#include "node/tip_watcher.h"

#include <spdlog/spdlog.h>

#include <zmq.hpp>

namespace pool::node {

TipWatcher::TipWatcher(BitcoinNode& node, Options options, Callback on_new_tip)
    : node_(node), options_(std::move(options)), on_new_tip_(std::move(on_new_tip)) {}

TipWatcher::~TipWatcher() { stop(); }

void TipWatcher::start() {
  stopping_ = false;
  poll_once();  // learn the current tip before returning, so it is reported exactly once
  thread_ = std::thread([this] { run(); });
}

void TipWatcher::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void TipWatcher::set_known_tip(const bitcoin::Uint256& hash) {
  std::lock_guard lock(mutex_);
  known_tip_ = hash;
}

void TipWatcher::consider(const bitcoin::Uint256& hash, TipSource source) {
  {
    std::lock_guard lock(mutex_);
    if (hash == known_tip_) return;
    known_tip_ = hash;
  }
  on_new_tip_(TipEvent{hash, source, std::chrono::steady_clock::now()});
}

void TipWatcher::poll_once() {
  try {
    const auto best = node_.get_best_block_hash();
    if (poll_failed_) spdlog::info("tip watcher: node answers again");
    poll_failed_ = false;
    consider(best, TipSource::kPoll);
  } catch (const std::exception& e) {
    if (!poll_failed_) spdlog::warn("tip watcher: cannot poll the node's best block: {}", e.what());
    poll_failed_ = true;
  }
}

void TipWatcher::run() {
  std::unique_ptr<zmq::context_t> context;
  std::unique_ptr<zmq::socket_t> socket;
  if (!options_.zmq_endpoint.empty()) {
    try {
      context = std::make_unique<zmq::context_t>(1);
      socket = std::make_unique<zmq::socket_t>(*context, zmq::socket_type::sub);
      socket->set(zmq::sockopt::subscribe, "hashblock");
      socket->set(zmq::sockopt::linger, 0);
      socket->connect(options_.zmq_endpoint);
      spdlog::info("tip watcher: subscribed to ZMQ hashblock at {} (polling every {} ms as fallback)",
                   options_.zmq_endpoint, options_.poll_interval.count());
    } catch (const zmq::error_t& e) {
      spdlog::warn("tip watcher: ZMQ endpoint {} unusable ({}); polling only", options_.zmq_endpoint, e.what());
      socket.reset();
    }
  }
  auto next_poll = std::chrono::steady_clock::now() + options_.poll_interval;
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_poll) {
      poll_once();
      next_poll = now + options_.poll_interval;
    }
    // Wake at least every 100 ms so stop() is prompt; wait on ZMQ when we have it.
    const auto wait = std::min<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(next_poll - std::chrono::steady_clock::now()),
        std::chrono::milliseconds(100));
    if (socket) {
      zmq::pollitem_t items[] = {{socket->handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::max<std::chrono::milliseconds>(wait, std::chrono::milliseconds(0)));
      if (items[0].revents & ZMQ_POLLIN) {
        std::vector<zmq::message_t> parts;
        zmq::message_t part;
        do {
          if (!socket->recv(part, zmq::recv_flags::dontwait)) break;
          parts.emplace_back(std::move(part));
        } while (parts.back().more());
        if (parts.size() >= 2 && parts[0].to_string_view() == "hashblock" && parts[1].size() == 32) {
          ++zmq_notifications_;
          // ZMQ carries the hash in display (big-endian) order.
          bitcoin::Uint256 hash;
          const auto* body = static_cast<const uint8_t*>(parts[1].data());
          for (size_t i = 0; i < 32; ++i) hash.data()[i] = body[31 - i];
          consider(hash, TipSource::kZmq);
        }
      }
    } else if (wait.count() > 0) {
      std::this_thread::sleep_for(wait);
    }
  }
}

}  // namespace pool::node
