#include "accounting/block_spill.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>

#include "bitcoin/hex.h"
#include "bitcoin/sha256.h"

namespace pool::accounting {

namespace {

constexpr const char* kMagic = "BLK1";
constexpr size_t kFields = 14;

std::string text_hex(const std::string& s) {
  return bitcoin::to_hex(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

std::string from_text_hex(const std::string& h) {
  const auto bytes = bitcoin::from_hex(h);
  return std::string(bytes.begin(), bytes.end());
}

std::string checksum(const std::string& body) {
  return bitcoin::sha256d(std::span(reinterpret_cast<const uint8_t*>(body.data()), body.size())).hex().substr(0, 16);
}

std::vector<std::string> split_tabs(const std::string& s) {
  std::vector<std::string> out(1);
  for (const char c : s) {
    if (c == '\t') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error("spill file " + path.string() + ": " + what + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& data, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
}

/// fsync of the folder, so a created, renamed or removed file survives a power cut.
void sync_folder(const std::filesystem::path& path) {
  const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string spill_line(const store::BlockRecord& b) {
  char diff[40];
  std::snprintf(diff, sizeof diff, "%.17g", b.network_difficulty);
  const std::vector<std::string> fields = {
      b.hash, std::to_string(b.height), std::to_string(b.reward_sats), text_hex(b.finder), b.status,
      std::to_string(b.found_ms), diff, b.scheme, std::to_string(b.confirmations), text_hex(b.finder_address),
      b.share_hash, b.header_hex, text_hex(b.submit_reason), b.block_hex};
  std::string body = kMagic;
  for (const auto& f : fields) body += "\t" + f;
  return body + "\t" + checksum(body);
}

bool parse_spill_line(const std::string& line, store::BlockRecord& out) {
  const size_t last_tab = line.rfind('\t');
  if (last_tab == std::string::npos || checksum(line.substr(0, last_tab)) != line.substr(last_tab + 1)) return false;
  const auto f = split_tabs(line.substr(0, last_tab));
  if (f.size() != kFields + 1 || f[0] != kMagic) return false;
  try {
    store::BlockRecord b;
    b.hash = f[1];
    b.height = std::stoll(f[2]);
    b.reward_sats = std::stoll(f[3]);
    b.finder = from_text_hex(f[4]);
    b.status = f[5];
    b.found_ms = std::stoll(f[6]);
    b.network_difficulty = std::stod(f[7]);
    b.scheme = f[8];
    b.confirmations = std::stoll(f[9]);
    b.finder_address = from_text_hex(f[10]);
    b.share_hash = f[11];
    b.header_hex = f[12];
    b.submit_reason = from_text_hex(f[13]);
    b.block_hex = f[14];
    out = std::move(b);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void BlockSpill::append(const store::BlockRecord& block) {
  const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot open", path_);
  try {
    // A line torn by a crash must not swallow this one: start on a fresh line.
    std::string data = spill_line(block) + "\n";
    const off_t size = ::lseek(fd, 0, SEEK_END);
    char last = '\n';
    if (size > 0 && ::pread(fd, &last, 1, size - 1) == 1 && last != '\n') data.insert(data.begin(), '\n');
    write_all(fd, data, path_);
    if (::fsync(fd) != 0) fail("cannot fsync", path_);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  sync_folder(path_);
}

std::vector<store::BlockRecord> BlockSpill::load() const {
  std::ifstream in(path_);
  std::vector<store::BlockRecord> out;
  std::map<std::string, size_t> index;
  std::string line;
  size_t number = 0, damaged = 0;
  while (std::getline(in, line)) {
    ++number;
    store::BlockRecord b;
    if (!parse_spill_line(line, b)) {
      ++damaged;
      continue;
    }
    const auto [it, inserted] = index.emplace(b.hash, out.size());
    if (inserted) {
      out.push_back(std::move(b));
    } else {
      out[it->second] = std::move(b);
    }
  }
  if (damaged > 0) spdlog::warn("spill file {}: skipped {} damaged line(s) of {}", path_.string(), damaged, number);
  return out;
}

void BlockSpill::rewrite(const std::vector<store::BlockRecord>& keep) {
  if (keep.empty()) {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    if (ec) throw std::runtime_error("spill file " + path_.string() + ": cannot remove: " + ec.message());
    sync_folder(path_);
    return;
  }
  auto tmp = path_;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", tmp);
  try {
    std::string data;
    for (const auto& b : keep) data += spill_line(b) + "\n";
    write_all(fd, data, tmp);
    if (::fsync(fd) != 0) fail("cannot fsync", tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) fail("cannot rename " + tmp.string() + " to", path_);
  sync_folder(path_);
}

}  // namespace pool::accounting
