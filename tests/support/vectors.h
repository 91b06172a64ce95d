#pragma once
// Test helper: loads the real Bitcoin Core regtest vectors from ../shared/vectors.
#include <rapidjson/document.h>

#include <string>

namespace pool::test {

/// Full path of a file under the shared vectors directory.
std::string vector_path(const std::string& relative);
/// The file's contents; fails the test (throws) if it cannot be read.
std::string read_vector(const std::string& relative);
/// The file parsed as JSON; throws if it is not valid JSON.
rapidjson::Document read_json_vector(const std::string& relative);
/// A hex file's contents with surrounding whitespace removed.
std::string read_hex_vector(const std::string& relative);

}  // namespace pool::test
