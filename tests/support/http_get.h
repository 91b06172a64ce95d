#pragma once
// Test helper: one HTTP GET to 127.0.0.1:port, returning status and body.
#include <string>
#include <utility>

namespace pool::test {

std::pair<int, std::string> http_get(uint16_t port, const std::string& target);

}  // namespace pool::test
