// FlatJson: an immutable copy of a JSON value laid out flat for fast reading: every value
// is one 24-byte slot in one array (the members of an object or the elements of an array
// are consecutive slots, object members sorted by name), and all strings and member
// names share one character pool. A profile view is read by every rule of every decision
// it serves, so its document is flattened once when the view is built: a lookup then
// touches two allocations instead of chasing a pointer per map node and string.
//
// Values are addressed by slot index; the root is slot 0. Numbers are kept as doubles
// (the condition language's data model, condition/document.h).
//
// Thread safety: immutable after construction; safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "condition/document.h"
#include "core/json_doc.h"

namespace tailor::decision {

class FlatJson {
 public:
  using Index = uint32_t;
  static constexpr Index kRoot = 0;

  // An empty object.
  FlatJson();
  // A copy of `value` (any JSON value; binary and discarded values read as null).
  explicit FlatJson(const Json& value);

  condition::ValueKind Kind(Index i) const { return slots_[i].kind; }
  // REQUIRES: Kind(i) is kBool / kNumber / kString respectively.
  bool GetBool(Index i) const { return slots_[i].u.boolean; }
  double GetNumber(Index i) const { return slots_[i].u.number; }
  std::string_view GetString(Index i) const {
    return {pool_.data() + slots_[i].u.span.first, slots_[i].u.span.count};
  }
  // Element or member count of an array or object, 0 otherwise.
  size_t Size(Index i) const {
    const Slot& s = slots_[i];
    return s.kind == condition::ValueKind::kArray || s.kind == condition::ValueKind::kObject
               ? s.u.span.count
               : 0;
  }
  // REQUIRES: Kind(i) == kArray and n < Size(i).
  Index ArrayAt(Index i, size_t n) const { return slots_[i].u.span.first + static_cast<Index>(n); }
  // True when array `i` has an element that is the string `s`. REQUIRES: Kind(i) == kArray.
  bool ArrayHasString(Index i, std::string_view s) const {
    const Span& span = slots_[i].u.span;
    for (Index e = span.first; e < span.first + span.count; ++e) {
      const Slot& slot = slots_[e];
      if (slot.kind == condition::ValueKind::kString && slot.u.span.count == s.size() &&
          std::string_view(pool_.data() + slot.u.span.first, s.size()) == s) {
        return true;
      }
    }
    return false;
  }
  // The member `key` of object `i`; false when absent or `i` is not an object.
  bool Find(Index i, std::string_view key, Index* out) const;
  // Resolves `path` from `start` like condition::Document::Lookup.
  bool Lookup(Index start, std::span<const condition::PathSegment> path, Index* out) const;

 private:
  struct Span {
    uint32_t first;  // slot index (containers) or pool offset (strings)
    uint32_t count;  // children (containers) or bytes (strings)
  };
  struct Slot {
    condition::ValueKind kind = condition::ValueKind::kNull;
    uint32_t key_len = 0;  // member name in the pool (members of objects only)
    uint32_t key_off = 0;
    union {
      double number;
      bool boolean;
      Span span;
    } u{0.0};
  };
  std::string_view KeyOf(const Slot& s) const { return {pool_.data() + s.key_off, s.key_len}; }
  void Fill(Index i, const Json& value);
  uint32_t Intern(std::string_view s);

  std::vector<Slot> slots_;
  std::string pool_;
};

}  // namespace tailor::decision
