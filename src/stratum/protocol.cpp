#include "stratum/protocol.h"

#include <rapidjson/error/en.h>

#include <cmath>
#include <cstdio>

#include "util/json.h"

namespace pool::stratum {

bool parse_message(std::string_view line, Message* out, std::string* error) {
  out->doc.Parse(line.data(), line.size());
  if (out->doc.HasParseError()) {
    *error = std::string("Parse error: ") + rapidjson::GetParseError_En(out->doc.GetParseError()) + " at offset " +
             std::to_string(out->doc.GetErrorOffset());
    return false;
  }
  if (!out->doc.IsObject()) {
    *error = "Invalid request: expected a JSON object";
    return false;
  }
  auto id = out->doc.FindMember("id");
  if (id != out->doc.MemberEnd()) {
    if (id->value.IsObject() || id->value.IsArray()) {
      *error = "Invalid request: id must be a number, string or null";
      return false;
    }
    out->id = util::to_json(id->value);
  }
  auto method = out->doc.FindMember("method");
  if (method != out->doc.MemberEnd() && method->value.IsString()) {
    out->method.assign(method->value.GetString(), method->value.GetStringLength());
    auto params = out->doc.FindMember("params");
    if (params != out->doc.MemberEnd()) out->params = &params->value;
    return true;
  }
  auto result = out->doc.FindMember("result");
  if (result != out->doc.MemberEnd() || out->doc.HasMember("error")) {
    out->is_response = true;
    if (result != out->doc.MemberEnd()) out->result = &result->value;
    return true;
  }
  *error = "Invalid request: no method";
  return false;
}

std::string result_line(std::string_view id, std::string_view result_json) {
  std::string out;
  out.reserve(40 + id.size() + result_json.size());
  out += "{\"id\":";
  out += id;
  out += ",\"result\":";
  out += result_json;
  out += ",\"error\":null}\n";
  return out;
}

std::string result_head(std::string_view id) { return "{\"id\":" + std::string(id) + ",\"result\":"; }

std::string result_tail(std::string_view result_json) {
  std::string out;
  out.reserve(result_json.size() + 16);
  out += result_json;
  out += ",\"error\":null}\n";
  return out;
}

std::string error_line(std::string_view id, int code, std::string_view message) {
  return "{\"id\":" + std::string(id) + ",\"result\":null,\"error\":[" + std::to_string(code) + "," +
         util::quote(message) + ",null]}\n";
}

std::string server_request_line(std::string_view method, std::string_view params_json, std::string_view id) {
  return "{\"id\":" + std::string(id) + ",\"method\":\"" + std::string(method) + "\",\"params\":" +
         std::string(params_json) + "}\n";
}

std::string notify_line(const mining::Job& job, bool clean_jobs) {
  // Built in one buffer: SOLO sends one per session per job, so this is on the fan-out path.
  static constexpr std::string_view kHead = "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"";
  const std::string& branches = job.work->merkle_branch_json;
  std::string line;
  line.reserve(kHead.size() + job.id.size() + job.prevhash_hex.size() + job.coinb1_hex.size() +
               job.coinb2_hex.size() + branches.size() + 64);
  line += kHead;
  line += job.id;
  line += "\",\"";
  line += job.prevhash_hex;
  line += "\",\"";
  line += job.coinb1_hex;
  line += "\",\"";
  line += job.coinb2_hex;
  line += "\",";
  line += branches;
  line += ",\"";
  line += job.version_hex;
  line += "\",\"";
  line += job.bits_hex;
  line += "\",\"";
  line += job.ntime_hex;
  line += "\",";
  line += clean_jobs ? "true" : "false";
  line += "]}\n";
  return line;
}

std::string format_difficulty(double value) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

std::string set_difficulty_line(double difficulty) {
  return server_request_line("mining.set_difficulty", "[" + format_difficulty(difficulty) + "]");
}

}  // namespace pool::stratum
