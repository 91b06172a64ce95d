#pragma once
// The one narrow interface through which accepted shares leave the Stratum server for
// accounting. An implementation calls `done` once the share is durably recorded; only then is
// the miner's `true` written.
#include <functional>

#include "stratum/session_host.h"

namespace pool::stratum {

class ShareSink {
 public:
  virtual ~ShareSink() = default;
  /// Records the share; calls done() (from any thread) when it is safe to acknowledge it.
  virtual void record(const AcceptedShare& share, std::function<void()> done) = 0;
  /// Blocks until every recorded share is durable (called at shutdown).
  virtual void flush() = 0;
};

/// A sink that keeps nothing and acknowledges at once (tests, benchmarks without a database).
class AcknowledgingShareSink : public ShareSink {
 public:
  void record(const AcceptedShare&, std::function<void()> done) override { done(); }
  void flush() override {}
};

}  // namespace pool::stratum
