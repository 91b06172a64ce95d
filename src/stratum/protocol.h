#pragma once
// Stratum v1 line codec: newline-delimited JSON-RPC requests in, replies and notifications out.
// Ids are echoed exactly as received (numbers, strings, null).
#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "mining/job.h"

namespace pool::stratum {

/// The conventional Stratum v1 error codes.
enum ErrorCode : int {
  kOther = 20,
  kJobNotFound = 21,  // also stale
  kDuplicate = 22,
  kLowDifficulty = 23,
  kUnauthorized = 24,
  kNotSubscribed = 25,
};

/// One parsed line. For a request `method` is set; for a miner's answer to a server request
/// (e.g. client.get_version) `is_response` is true.
struct Message {
  std::string id = "null";  // raw JSON text of the id, echoed back verbatim
  std::string method;
  bool is_response = false;
  rapidjson::Document doc;                  // owns the parsed JSON
  const rapidjson::Value* params = nullptr; // the params array (or nullptr)
  const rapidjson::Value* result = nullptr; // for responses
};

/// Parses one line (without the newline). Returns false and sets *error when the line is not a
/// JSON object with a string method or a result.
bool parse_message(std::string_view line, Message* out, std::string* error);

std::string result_line(std::string_view id, std::string_view result_json);
/// result_line split in two, so a large shared result is written between a per-request head
/// and the tail without copying: result_head(id) + result_tail(json) == result_line(id, json).
std::string result_head(std::string_view id);
std::string result_tail(std::string_view result_json);
std::string error_line(std::string_view id, int code, std::string_view message);
/// A request from the server ("id":null unless given), e.g. mining.set_difficulty.
std::string server_request_line(std::string_view method, std::string_view params_json, std::string_view id = "null");

std::string notify_line(const mining::Job& job, bool clean_jobs);
std::string set_difficulty_line(double difficulty);
/// Shortest decimal text that reads back to exactly `value` ("0.001", "1e-09", "1024").
std::string format_difficulty(double value);

}  // namespace pool::stratum
