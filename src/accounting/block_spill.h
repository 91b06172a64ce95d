#pragma once
// The found-block spill file: a local, fsync'd copy of every found block and of the node's answer,
// written before the block goes to the node, so a block survives a crash or a database outage.
// One line per record (the newest line of a hash wins), each with a checksum, so a line torn by a
// crash is recognised and skipped. Not thread-safe: BlockLedger serializes access.
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"

namespace pool::accounting {

/// Owns the spill file at one path.
class BlockSpill {
 public:
  explicit BlockSpill(std::filesystem::path path) : path_(std::move(path)) {}
  const std::filesystem::path& path() const { return path_; }

  /// Appends `block` (every field, block_hex included) and fsyncs; throws std::runtime_error
  /// naming the file when it cannot.
  void append(const store::BlockRecord& block);
  /// The newest record of each hash, in the order first seen; torn or damaged lines are skipped.
  std::vector<store::BlockRecord> load() const;
  /// Replaces the file with `keep` (temporary file, fsync, rename); removes it when `keep` is empty.
  void rewrite(const std::vector<store::BlockRecord>& keep);

 private:
  std::filesystem::path path_;
};

/// One spill line (without the newline) and back; parse returns false for a damaged line.
std::string spill_line(const store::BlockRecord& block);
bool parse_spill_line(const std::string& line, store::BlockRecord& out);

}  // namespace pool::accounting
