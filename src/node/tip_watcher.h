#pragma once
// Learns about new blocks: ZMQ `hashblock` notifications when configured, and polling
// getbestblockhash at least once a second as the fallback when ZMQ is absent or silent.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "bitcoin/uint256.h"
#include "node/bitcoin_node.h"

namespace pool::node {

enum class TipSource { kZmq, kPoll, kOwnBlock };

struct TipEvent {
  bitcoin::Uint256 hash;
  TipSource source = TipSource::kPoll;
  std::chrono::steady_clock::time_point noticed_at;  // when the pool learned of it
};

/// Owns a background thread that reports each change of the node's best block once.
class TipWatcher {
 public:
  struct Options {
    std::string zmq_endpoint;  // e.g. "tcp://127.0.0.1:28332"; empty = polling only
    std::chrono::milliseconds poll_interval{1000};
  };
  using Callback = std::function<void(const TipEvent&)>;

  TipWatcher(BitcoinNode& node, Options options, Callback on_new_tip);
  ~TipWatcher();
  TipWatcher(const TipWatcher&) = delete;
  TipWatcher& operator=(const TipWatcher&) = delete;

  /// Polls the node once on the caller's thread (reporting the current tip), then watches in the
  /// background.
  void start();
  void stop();
  /// Sets the tip the pool already works on, so it is not reported again.
  void set_known_tip(const bitcoin::Uint256& hash);
  uint64_t zmq_notifications() const { return zmq_notifications_; }

 private:
  void run();
  void consider(const bitcoin::Uint256& hash, TipSource source);
  void poll_once();

  BitcoinNode& node_;
  Options options_;
  Callback on_new_tip_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  bitcoin::Uint256 known_tip_;
  std::atomic<uint64_t> zmq_notifications_{0};
  bool poll_failed_ = false;
};

}  // namespace pool::node
