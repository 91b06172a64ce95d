#pragma once
// The one narrow interface through which accepted shares leave the Stratum server for
// accounting. An implementation calls `done` once the share's fate is durable; only then is the
// miner's reply written: `true` when it was recorded, error 22 when the database already holds
// that share (a replay another check did not catch), error 20 when the database refused it.
#include <functional>

#include "stratum/session_host.h"

namespace pool::stratum {

/// What became of a share handed to a ShareSink.
enum class RecordOutcome {
  kRecorded,   // durably stored: the miner gets `true`
  kDuplicate,  // the same share (header hash) is already stored: not credited again
  kRefused,    // the database refused the row (bad data): not credited
};

class ShareSink {
 public:
  virtual ~ShareSink() = default;
  /// Records the share; calls done() (from any thread) once its outcome is final.
  virtual void record(const AcceptedShare& share, std::function<void(RecordOutcome)> done) = 0;
  /// Blocks until every recorded share is durable (called at shutdown).
  virtual void flush() = 0;
};

/// A sink that keeps nothing and acknowledges at once (tests, benchmarks without a database).
class AcknowledgingShareSink : public ShareSink {
 public:
  void record(const AcceptedShare&, std::function<void(RecordOutcome)> done) override { done(RecordOutcome::kRecorded); }
  void flush() override {}
};

}  // namespace pool::stratum
