#include "app/ini_file.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace pool::app {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string strip_inline_comment(const std::string& value) {
  bool in_quotes = false;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '"') in_quotes = !in_quotes;
    if (!in_quotes && (value[i] == '#' || value[i] == ';') && i > 0 &&
        std::isspace(static_cast<unsigned char>(value[i - 1]))) {
      return value.substr(0, i);
    }
  }
  return value;
}

}  // namespace

IniFile parse_ini(const std::string& text, const std::string& path) {
  IniFile file;
  file.path = path;
  std::istringstream in(text);
  std::string raw;
  std::string section, section_written;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    if (line_no == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);  // UTF-8 BOM
    const std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      const size_t close = line.find(']');
      const std::string rest = close == std::string::npos ? "" : trim(line.substr(close + 1));
      if (close == std::string::npos || (!rest.empty() && rest[0] != '#' && rest[0] != ';')) {
        throw ConfigError(path + ":" + std::to_string(line_no) + ": malformed section header '" + line +
                          "' (expected [name])");
      }
      section_written = trim(line.substr(1, close - 1));
      section = lower(section_written);
      file.sections.push_back({section, section_written, line_no});
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos) eq = line.find(':');
    if (eq == std::string::npos) {
      throw ConfigError(path + ":" + std::to_string(line_no) + ": expected 'key = value' or '[section]', got '" + line +
                        "'");
    }
    IniEntry entry;
    entry.key_as_written = trim(line.substr(0, eq));
    entry.key = lower(entry.key_as_written);
    entry.value = trim(strip_inline_comment(line.substr(eq + 1)));
    if (entry.value.size() >= 2 && (entry.value.front() == '"' || entry.value.front() == '\'') &&
        entry.value.back() == entry.value.front()) {
      entry.value = entry.value.substr(1, entry.value.size() - 2);
    }
    entry.section = section;
    entry.section_as_written = section_written;
    entry.line = line_no;
    if (entry.key.empty()) throw ConfigError(path + ":" + std::to_string(line_no) + ": missing key before '='");
    if (section.empty()) {
      throw ConfigError(path + ":" + std::to_string(line_no) + ": key '" + entry.key_as_written +
                        "' appears before any [section]");
    }
    file.entries.push_back(std::move(entry));
  }
  return file;
}

}  // namespace pool::app
