#include "condition/document.h"

#include <mutex>
#include <string>
#include <unordered_map>

namespace tailor::condition {

uint32_t InternPath(std::string_view text) {
  static std::mutex mu;
  static auto* ids = new std::unordered_map<std::string, uint32_t>();  // never freed
  std::lock_guard lock(mu);
  auto [it, added] = ids->try_emplace(std::string(text), static_cast<uint32_t>(ids->size() + 1));
  return it->second;
}

bool Document::ArrayHasString(Node array, std::string_view s) const {
  const size_t n = Size(array);
  for (size_t i = 0; i < n; ++i) {
    Node e = ArrayAt(array, i);
    if (Kind(e) == ValueKind::kString && GetString(e) == s) return true;
  }
  return false;
}

bool Document::Lookup(Node start, std::span<const PathSegment> path, Node* out) const {
  Node cur = start;
  for (const PathSegment& seg : path) {
    switch (Kind(cur)) {
      case ValueKind::kObject:
        if (!Find(cur, seg.key, &cur)) return false;
        break;
      case ValueKind::kArray:
        // JavaScript's `"1" in array`: only canonical indexes below the length exist.
        if (seg.index < 0 || static_cast<size_t>(seg.index) >= Size(cur)) return false;
        cur = ArrayAt(cur, static_cast<size_t>(seg.index));
        break;
      default:
        return false;
    }
  }
  *out = cur;
  return true;
}

}  // namespace tailor::condition
