#pragma once
// A small INI reader that remembers where every value came from, so configuration errors can
// name the file, line, section and key.
#include <stdexcept>
#include <string>
#include <vector>

namespace pool::app {

struct IniEntry {
  std::string section;  // lower-cased
  std::string key;      // lower-cased
  std::string value;    // trimmed, surrounding quotes removed
  int line = 0;
  std::string section_as_written;
  std::string key_as_written;
};

struct IniSection {
  std::string name;  // lower-cased
  std::string as_written;
  int line = 0;
};

struct IniFile {
  std::string path;
  std::vector<IniSection> sections;
  std::vector<IniEntry> entries;
};

/// Thrown for a file that cannot be read or a line that is not INI; the message names the
/// file and line.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses INI text: [section] headers, key = value (or key: value) lines, full-line comments
/// starting with # or ;, and inline comments after " #" or " ;".
IniFile parse_ini(const std::string& text, const std::string& path);

}  // namespace pool::app
