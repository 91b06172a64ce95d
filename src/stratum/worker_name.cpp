#include "stratum/worker_name.h"

#include <cmath>
#include <cstdlib>

#include "util/text.h"

namespace pool::stratum {

namespace {

// True when `s` (already valid UTF-8) holds a C0 control, DEL, or a C1 control (U+0080..U+009F,
// encoded as C2 80..C2 9F).
bool has_control(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f) return true;
  }
  return false;
}

}  // namespace

std::optional<Username> parse_username(std::string_view username, std::string* problem) {
  const auto fail = [&](std::string why) -> std::optional<Username> {
    *problem = std::move(why) + " (username must be ADDRESS or ADDRESS.WORKER)";
    return std::nullopt;
  };
  if (!util::valid_utf8(username)) return fail("username is not valid UTF-8");
  if (has_control(username)) return fail("username contains control characters");
  const size_t dot = username.find('.');
  const std::string_view address = username.substr(0, dot);
  const std::string_view worker = dot == std::string_view::npos ? std::string_view() : username.substr(dot + 1);
  if (address.empty()) return fail("the address is empty");
  if (address.size() > kMaxAddressBytes) {
    return fail("the address is " + std::to_string(address.size()) + " bytes, more than " +
                std::to_string(kMaxAddressBytes));
  }
  if (dot != std::string_view::npos && worker.empty()) return fail("the worker name after '.' is empty");
  if (worker.size() > kMaxWorkerBytes) {
    return fail("the worker name is " + std::to_string(worker.size()) + " bytes, more than " +
                std::to_string(kMaxWorkerBytes));
  }
  return Username{std::string(address), std::string(worker)};
}

std::optional<double> password_difficulty(std::string_view password) {
  password = password.substr(0, 256);
  while (!password.empty()) {
    const size_t comma = password.find(',');
    std::string_view field = password.substr(0, comma);
    password = comma == std::string_view::npos ? std::string_view() : password.substr(comma + 1);
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
    if (field.substr(0, 2) != "d=") continue;
    const std::string value(field.substr(2));
    if (value.empty() || value.size() > 32) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(value.c_str(), &end);
    if (end != value.c_str() + value.size() || !std::isfinite(d) || !(d > 0)) return std::nullopt;
    return d;
  }
  return std::nullopt;
}

}  // namespace pool::stratum
