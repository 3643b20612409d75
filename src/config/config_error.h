// ConfigError: one problem found while loading a configuration, located by file, line
// and field path, plus the helpers that turn a list of them into a Status.
//
// Format (one line per error):
//   events.yaml:12: events.sampling.page_view: must be a number between 0 and 1
// Parts that are unknown are left out ("events.yaml: ..." when there is no line, no
// "path: " when the problem is not tied to a field, e.g. a YAML syntax error).
//
// Thread safety: plain values and pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tailor::config {

struct ConfigError {
  std::string file;     // file name as given to the loader ("events.yaml"); may be empty
  int line = 0;         // 1-based; 0 = unknown
  std::string path;     // field path ("events.sampling.page_view"); may be empty
  std::string message;  // what is wrong and, when possible, how to fix it

  // "file:line: path: message".
  std::string ToString() const;

  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

// Returns OK for an empty list, else kInvalidArgument whose message is
// "N configuration error(s):" followed by one ToString() per line and whose path is
// the first error's field path.
Status SummarizeErrors(const std::vector<ConfigError>& errors);

// Returns the candidate closest to `word` by edit distance (Levenshtein) when that
// distance is at most `max_distance`, else an empty view. Ties go to the earliest.
std::string_view Suggest(std::string_view word, std::span<const std::string_view> candidates,
                         size_t max_distance = 2);

// Levenshtein distance between `a` and `b`.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace tailor::config
