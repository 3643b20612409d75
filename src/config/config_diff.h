// Line diffs between two sets of configuration files, for `tailor config diff` and the
// admin API.
//
// Thread safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config_loader.h"

namespace tailor::config {

struct DiffLine {
  char op = ' ';  // '-' (only in the old text) or '+' (only in the new text)
  int line = 0;   // 1-based line number in the old text for '-', in the new text for '+'
  std::string text;

  friend bool operator==(const DiffLine&, const DiffLine&) = default;
};

struct FileDiff {
  enum class Change : uint8_t { kAdded, kRemoved, kChanged };
  std::string file;
  Change change = Change::kChanged;
  std::vector<DiffLine> lines;  // in order of position; '-' before '+' within a change
};

struct ConfigDiff {
  uint64_t from_version = 0;
  uint64_t to_version = 0;
  std::vector<FileDiff> files;  // sorted by file name; unchanged files are left out

  // "--- v1\n+++ v2\nchanged events.yaml\n-3: strict: false\n+3: strict: true\n...".
  std::string ToText() const;
};

// Beyond this many cells (old lines x new lines of the differing middle part, after
// the common head and tail are trimmed) the diff stops looking for common lines and
// reports the whole middle part as removed and added, bounding memory.
inline constexpr size_t kMaxDiffCells = 4'000'000;

// Line diff of two texts (lines split on '\n'; a trailing '\r' is dropped).
std::vector<DiffLine> DiffLines(std::string_view from, std::string_view to);

// Per-file diff of two file sets; versions are filled in by the caller.
std::vector<FileDiff> DiffFiles(const ConfigFiles& from, const ConfigFiles& to);

}  // namespace tailor::config
