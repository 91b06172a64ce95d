#pragma once
// What an accept loop does when accept() fails: when the process (or system) is out of file
// descriptors or buffer memory, the listening socket stays readable and accepting again at once
// would spin at 100% CPU, so wait 100 ms doubling to 1 s, and say so once per episode (and once
// when accepting works again). Pure: the caller owns the timer and the log.
#include <algorithm>
#include <cerrno>
#include <chrono>

namespace pool::util {

/// Owns one accept loop's back-off state.
class AcceptBackoff {
 public:
  static constexpr std::chrono::milliseconds kFirst{100};
  static constexpr std::chrono::milliseconds kMax{1000};

  /// True for errors that mean "out of resources" (EMFILE, ENFILE, ENOBUFS, ENOMEM).
  static bool out_of_resources(int errno_value) {
    return errno_value == EMFILE || errno_value == ENFILE || errno_value == ENOBUFS || errno_value == ENOMEM;
  }

  /// Records a failed accept with `errno_value`. Returns how long to wait before accepting again
  /// (zero for other errors). *starts_episode is set when this failure begins an episode.
  std::chrono::milliseconds failed(int errno_value, bool* starts_episode) {
    *starts_episode = false;
    if (!out_of_resources(errno_value)) return std::chrono::milliseconds(0);
    if (delay_.count() == 0) {
      *starts_episode = true;
      delay_ = kFirst;
    } else {
      delay_ = std::min(delay_ * 2, kMax);
    }
    return delay_;
  }
  /// Records a successful accept. Returns true when it ends an episode.
  bool succeeded() {
    const bool recovered = delay_.count() != 0;
    delay_ = std::chrono::milliseconds(0);
    return recovered;
  }

 private:
  std::chrono::milliseconds delay_{0};
};

}  // namespace pool::util
