#pragma once
// Checks and cleans text that comes from outside (miner names, user agents, node messages):
// strict UTF-8 validation, and a printable, length-capped form that is safe to put in a log line.
#include <cstddef>
#include <string>
#include <string_view>

namespace pool::util {

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s);

/// `s` made safe for one log line: control characters (including newlines and DEL) become
/// \n, \r, \t or \xNN, bytes that are not valid UTF-8 become \xNN, and the result is cut to about
/// `max_bytes` with "..." appended when anything was cut.
std::string printable(std::string_view s, size_t max_bytes = 96);

}  // namespace pool::util
