#pragma once
// Test helper: replaces spdlog's default logger with one writing into a string, one record per
// line as "<level>|<text>", and puts the old logger back when done.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <string>
#include <vector>

namespace pool::test {

/// Captures everything spdlog's default logger writes, one record per line ("<level>|<text>").
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_pattern("%l|%v");
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  /// True when `line` starts as the logger starts a record (so no miner text began a line).
  static bool is_record(const std::string& line) {
    for (const char* level : {"trace|", "debug|", "info|", "warning|", "error|", "critical|"}) {
      if (line.rfind(level, 0) == 0) return true;
    }
    return false;
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(stream_.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

}  // namespace pool::test
