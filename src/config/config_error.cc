#include "config/config_error.h"

#include <algorithm>
#include <numeric>

namespace tailor::config {

std::string ConfigError::ToString() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ':';
      out += std::to_string(line);
    }
    out += ": ";
  }
  if (!path.empty()) {
    out += path;
    out += ": ";
  }
  out += message;
  return out;
}

Status SummarizeErrors(const std::vector<ConfigError>& errors) {
  if (errors.empty()) return Status::OK();
  std::string message = std::to_string(errors.size()) +
                        (errors.size() == 1 ? " configuration error:" : " configuration errors:");
  for (const ConfigError& e : errors) message += "\n  " + e.ToString();
  return InvalidArgument(std::move(message), errors.front().path);
}

size_t EditDistance(std::string_view a, std::string_view b) {
  // Two-row dynamic programme; names are short, so O(|a|*|b|) is fine.
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  std::iota(prev.begin(), prev.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string_view Suggest(std::string_view word, std::span<const std::string_view> candidates,
                         size_t max_distance) {
  // Long garbage keys (fuzzing, pasted blobs) are never a typo of a short field name.
  if (word.size() > 64) return {};
  std::string_view best;
  size_t best_distance = max_distance + 1;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace tailor::config
