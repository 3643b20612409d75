// A hand-written longest-common-subsequence line diff. Debian 12 ships no diff library
// with a C++ API (libgit2 would drag in a repository model, dtl is not packaged), and
// config files are small, so an O(n*m) table after trimming the common head and tail
// is simple and fast enough; kMaxDiffCells bounds the worst case.
#include "config/config_diff.h"

#include <algorithm>

namespace tailor::config {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

void Emit(std::vector<DiffLine>* out, char op, size_t index, std::string_view text) {
  out->push_back(DiffLine{op, static_cast<int>(index + 1), std::string(text)});
}

}  // namespace

std::vector<DiffLine> DiffLines(std::string_view from, std::string_view to) {
  std::vector<std::string_view> a = SplitLines(from), b = SplitLines(to);
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
    ++tail;
  }
  const size_t n = a.size() - head - tail, m = b.size() - head - tail;
  std::vector<DiffLine> out;
  if (n == 0 && m == 0) return out;

  if (n * m > kMaxDiffCells) {
    for (size_t i = 0; i < n; ++i) Emit(&out, '-', head + i, a[head + i]);
    for (size_t j = 0; j < m; ++j) Emit(&out, '+', head + j, b[head + j]);
    return out;
  }
  // lcs[i][j] = length of the LCS of a[head+i..] and b[head+j..], row-major (m+1 wide).
  std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1
                                            : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i] == b[head + j]) {
      ++i;
      ++j;
    } else if (j == m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
      Emit(&out, '-', head + i, a[head + i]);
      ++i;
    } else {
      Emit(&out, '+', head + j, b[head + j]);
      ++j;
    }
  }
  return out;
}

std::vector<FileDiff> DiffFiles(const ConfigFiles& from, const ConfigFiles& to) {
  std::vector<FileDiff> out;
  auto f = from.begin();
  auto t = to.begin();
  // Merge walk over the two sorted maps.
  while (f != from.end() || t != to.end()) {
    if (t == to.end() || (f != from.end() && f->first < t->first)) {
      out.push_back({f->first, FileDiff::Change::kRemoved, DiffLines(f->second, "")});
      ++f;
    } else if (f == from.end() || t->first < f->first) {
      out.push_back({t->first, FileDiff::Change::kAdded, DiffLines("", t->second)});
      ++t;
    } else {
      if (f->second != t->second) {
        out.push_back({f->first, FileDiff::Change::kChanged, DiffLines(f->second, t->second)});
      }
      ++f;
      ++t;
    }
  }
  return out;
}

std::string ConfigDiff::ToText() const {
  std::string out = "--- v" + std::to_string(from_version) + "\n+++ v" +
                    std::to_string(to_version) + "\n";
  for (const FileDiff& file : files) {
    switch (file.change) {
      case FileDiff::Change::kAdded: out += "added "; break;
      case FileDiff::Change::kRemoved: out += "removed "; break;
      case FileDiff::Change::kChanged: out += "changed "; break;
    }
    out += file.file + "\n";
    for (const DiffLine& line : file.lines) {
      out += line.op;
      out += std::to_string(line.line) + ": " + line.text + "\n";
    }
  }
  return out;
}

}  // namespace tailor::config
