#pragma once
// Small helpers around RapidJSON: typed field access with clear errors, and serialization.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pool::util {

/// Thrown when JSON is malformed or a field is missing or of the wrong type.
class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses text; throws JsonError naming the offset on failure.
rapidjson::Document parse_json(std::string_view text);
/// Compact JSON text of a value.
std::string to_json(const rapidjson::Value& value);

const rapidjson::Value& member(const rapidjson::Value& obj, const char* name);
std::string get_string(const rapidjson::Value& obj, const char* name);
int64_t get_int64(const rapidjson::Value& obj, const char* name);
uint64_t get_uint64(const rapidjson::Value& obj, const char* name);
double get_double(const rapidjson::Value& obj, const char* name);
bool get_bool(const rapidjson::Value& obj, const char* name);
bool has_member(const rapidjson::Value& obj, const char* name);

/// JSON string literal (with quotes) of `s`, escaped.
std::string quote(std::string_view s);

}  // namespace pool::util
