#pragma once
// Per-connection variable difficulty: aims for one share every `target_seconds`, retargeting on a
// rolling window of shares, clamped to the pool's bounds and the miner's suggested difficulty.
#include <optional>

namespace pool::stratum {

struct VarDiffOptions {
  double initial = 1;
  double minimum = 1e-9;
  double maximum = 1e15;
  double target_seconds = 10;
  int window_shares = 12;           // retarget after this many shares...
  double window_seconds = 60;       // ...or this long, whichever comes first
  double max_step = 4;              // change by at most this factor per retarget
};

/// Owns one connection's difficulty state. Pure: callers pass the time in seconds.
class VarDiff {
 public:
  VarDiff(const VarDiffOptions& options, double now);

  double difficulty() const { return difficulty_; }
  /// The miner's mining.suggest_difficulty (or minimum-difficulty extension): becomes the floor
  /// (never below the pool minimum) and, if above the current difficulty, applies now.
  std::optional<double> suggest(double suggested, double now);
  /// Records an accepted share; returns the new difficulty when it should change.
  std::optional<double> on_share(double now);
  /// Called periodically: lowers the difficulty of a miner that has gone quiet.
  std::optional<double> on_tick(double now);
  /// Forces a difficulty (clamped), e.g. from configuration.
  double set(double difficulty, double now);
  /// New pool bounds and target from a configuration reload (the miner's suggested floor is kept
  /// within them); returns the new difficulty when the current one had to move into the bounds.
  std::optional<double> set_options(const VarDiffOptions& options, double now);

 private:
  double clamp(double d) const;
  std::optional<double> retarget(double now);

  VarDiffOptions options_;
  double difficulty_;
  double floor_;
  double window_start_;
  int window_count_ = 0;
};

}  // namespace pool::stratum
