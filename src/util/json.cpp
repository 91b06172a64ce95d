#include "util/json.h"

#include <rapidjson/error/en.h>

namespace pool::util {

rapidjson::Document parse_json(std::string_view text) {
  rapidjson::Document doc;
  // Iterative: nesting depth costs heap, not stack, so hostile input cannot overflow the stack.
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    throw JsonError(std::string("invalid JSON at offset ") + std::to_string(doc.GetErrorOffset()) +
                    ": " + rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return doc;
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  value.Accept(writer);
  return std::string(buf.GetString(), buf.GetSize());
}

bool has_member(const rapidjson::Value& obj, const char* name) {
  return obj.IsObject() && obj.HasMember(name) && !obj[name].IsNull();
}

const rapidjson::Value& member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) throw JsonError(std::string("expected an object holding '") + name + "'");
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) throw JsonError(std::string("missing field '") + name + "'");
  return it->value;
}

std::string get_string(const rapidjson::Value& obj, const char* name) {
  const auto& v = member(obj, name);
  if (!v.IsString()) throw JsonError(std::string("field '") + name + "' is not a string");
  return std::string(v.GetString(), v.GetStringLength());
}

int64_t get_int64(const rapidjson::Value& obj, const char* name) {
  const auto& v = member(obj, name);
  if (!v.IsInt64()) throw JsonError(std::string("field '") + name + "' is not an integer");
  return v.GetInt64();
}

uint64_t get_uint64(const rapidjson::Value& obj, const char* name) {
  const auto& v = member(obj, name);
  if (!v.IsUint64()) throw JsonError(std::string("field '") + name + "' is not a non-negative integer");
  return v.GetUint64();
}

double get_double(const rapidjson::Value& obj, const char* name) {
  const auto& v = member(obj, name);
  if (!v.IsNumber()) throw JsonError(std::string("field '") + name + "' is not a number");
  return v.GetDouble();
}

bool get_bool(const rapidjson::Value& obj, const char* name) {
  const auto& v = member(obj, name);
  if (!v.IsBool()) throw JsonError(std::string("field '") + name + "' is not a boolean");
  return v.GetBool();
}

std::string quote(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace pool::util
