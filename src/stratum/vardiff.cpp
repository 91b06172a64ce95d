#include "stratum/vardiff.h"

#include <algorithm>
#include <cmath>

namespace pool::stratum {

VarDiff::VarDiff(const VarDiffOptions& options, double now)
    : options_(options), difficulty_(0), floor_(options.minimum), window_start_(now) {
  difficulty_ = clamp(options.initial);
}

double VarDiff::clamp(double d) const { return std::clamp(d, floor_, std::max(floor_, options_.maximum)); }

double VarDiff::set(double difficulty, double now) {
  difficulty_ = clamp(difficulty);
  window_start_ = now;
  window_count_ = 0;
  return difficulty_;
}

std::optional<double> VarDiff::set_options(const VarDiffOptions& options, double now) {
  const bool floor_was_pool_minimum = floor_ == options_.minimum;
  options_ = options;
  floor_ = floor_was_pool_minimum ? options.minimum : std::clamp(floor_, options.minimum, options.maximum);
  const double before = difficulty_;
  difficulty_ = clamp(difficulty_);
  if (difficulty_ == before) return std::nullopt;
  window_start_ = now;
  window_count_ = 0;
  return difficulty_;
}

std::optional<double> VarDiff::suggest(double suggested, double now) {
  if (!(suggested > 0) || !std::isfinite(suggested)) return std::nullopt;
  floor_ = std::clamp(suggested, options_.minimum, options_.maximum);
  const double before = difficulty_;
  set(std::max(difficulty_, floor_), now);
  if (difficulty_ != before) return difficulty_;
  return std::nullopt;
}

std::optional<double> VarDiff::retarget(double now) {
  const double elapsed = std::max(now - window_start_, 1e-3);
  double wanted;
  if (window_count_ == 0) {
    wanted = difficulty_ / options_.max_step;
  } else {
    const double interval = elapsed / window_count_;
    wanted = difficulty_ * options_.target_seconds / interval;
  }
  wanted = std::clamp(wanted, difficulty_ / options_.max_step, difficulty_ * options_.max_step);
  wanted = clamp(wanted);
  window_start_ = now;
  window_count_ = 0;
  // Hysteresis: ignore changes under 30% so a steady miner is not retargeted on noise.
  const double ratio = wanted / difficulty_;
  if (ratio > 0.7 && ratio < 1.3) return std::nullopt;
  difficulty_ = wanted;
  return difficulty_;
}

std::optional<double> VarDiff::on_share(double now) {
  ++window_count_;
  if (window_count_ >= options_.window_shares || now - window_start_ >= options_.window_seconds) return retarget(now);
  return std::nullopt;
}

std::optional<double> VarDiff::on_tick(double now) {
  if (window_count_ == 0 && now - window_start_ >= std::max(options_.window_seconds, 3 * options_.target_seconds)) {
    return retarget(now);
  }
  return std::nullopt;
}

}  // namespace pool::stratum
