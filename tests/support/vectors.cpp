#include "support/vectors.h"

#include <cctype>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pool::test {

std::string vector_path(const std::string& relative) {
  return std::string(POOL_VECTORS_DIR) + "/" + relative;
}

std::string read_vector(const std::string& relative) {
  std::ifstream in(vector_path(relative));
  if (!in) throw std::runtime_error("cannot read test vector " + vector_path(relative));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

rapidjson::Document read_json_vector(const std::string& relative) {
  rapidjson::Document doc;
  const std::string text = read_vector(relative);
  doc.Parse(text.c_str());
  if (doc.HasParseError()) throw std::runtime_error("invalid JSON in " + relative);
  return doc;
}

std::string read_hex_vector(const std::string& relative) {
  std::string text = read_vector(relative);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

}  // namespace pool::test
