// FlatJson: an immutable copy of a JSON value laid out flat for fast reading: every value
// is one 24-byte slot in one array (the members of an object or the elements of an array
// are consecutive slots, object members sorted by name), and all strings and member
// names share one character pool. A profile view is read by every rule of every decision
// it serves, so its document is flattened once when the view is built: a lookup then
// touches two allocations instead of chasing a pointer per map node and string.
//
// Values are addressed by slot index; the root is slot 0. Numbers are kept as doubles
// (the condition language's data model, condition/document.h), marked when they were
// integers so they print as they came (3, not 3.0).
//
// The request context of a decision is a FlatJson too, laid out by the request parser
// straight from simdjson's DOM with a Builder (no nlohmann value per request).
//
// Thread safety: immutable after construction; safe to share.
#pragma once

#include <algorithm>
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

  class Builder;

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
  // REQUIRES: Kind(i) == kObject and n < Size(i). Its n-th member (in name order).
  Index MemberAt(Index i, size_t n) const { return slots_[i].u.span.first + static_cast<Index>(n); }
  // The name of a member of an object.
  std::string_view NameOf(Index member) const { return KeyOf(slots_[member]); }
  // The member `key` of object `i`; false when absent or `i` is not an object.
  bool Find(Index i, std::string_view key, Index* out) const;
  // Resolves `path` from `start` like condition::Document::Lookup.
  bool Lookup(Index start, std::span<const condition::PathSegment> path, Index* out) const;
  // Asks the CPU to load the slots and the character pool (their first 1 KiB and 512
  // bytes: a profile view's whole copy, usually): a decision calls it as soon as it has
  // its profile view, so the misses overlap each other and the work before the first
  // rule instead of stalling the rules one by one.
  void Prefetch() const {
    const char* slots = reinterpret_cast<const char*>(slots_.data());
    const size_t slot_bytes = std::min<size_t>(slots_.size() * sizeof(Slot), 1024);
    for (size_t off = 0; off < slot_bytes; off += 64) __builtin_prefetch(slots + off);
    const size_t pool_bytes = std::min<size_t>(pool_.size(), 512);
    for (size_t off = 0; off < pool_bytes; off += 64) __builtin_prefetch(pool_.data() + off);
  }
  // Values in all (a size hint for copies).
  size_t SlotCount() const { return slots_.size(); }
  // True when number `i` was an integer in its source. REQUIRES: Kind(i) == kNumber.
  bool IsIntegral(Index i) const { return slots_[i].integral; }

  // Value `i` as compact JSON text (object members in name order).
  void AppendJson(std::string* out, Index i = kRoot) const;
  // Value `i` as an nlohmann value (integers as integers).
  Json ToJson(Index i = kRoot) const;

 private:
  struct Span {
    uint32_t first;  // slot index (containers) or pool offset (strings)
    uint32_t count;  // children (containers) or bytes (strings)
  };
  struct Slot {
    condition::ValueKind kind = condition::ValueKind::kNull;
    bool integral = false;  // numbers: an integer in the source
    uint32_t key_len = 0;   // member name in the pool (members of objects only)
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

// Lays out a FlatJson without an intermediate Json value. The children of a container
// are one run of consecutive slots: Open the container with its count, then set each
// child (and, in an object, its name), and SortMembers once an object's names are set.
//
//   FlatJson::Builder b;                                     // root: null
//   auto first = b.Open(FlatJson::kRoot, ValueKind::kObject, 2);
//   b.SetName(first, "page");     b.SetString(first, "/");
//   b.SetName(first + 1, "n");    b.SetNumber(first + 1, 3, /*integral=*/true);
//   b.SortMembers(FlatJson::kRoot);
//   FlatJson f = std::move(b).Finish();
class FlatJson::Builder {
 public:
  // Room for `slots` values and `chars` characters of names and strings (a hint).
  explicit Builder(size_t slots = 16, size_t chars = 0);

  // Makes `container` an array or object of `count` null children; returns the first.
  // REQUIRES: kind is kArray or kObject; `container` was not opened before.
  Index Open(Index container, condition::ValueKind kind, size_t count);
  void SetName(Index member, std::string_view name);
  void SetNull(Index i) { out_.slots_[i].kind = condition::ValueKind::kNull; }
  void SetBool(Index i, bool v);
  void SetNumber(Index i, double v, bool integral);
  void SetString(Index i, std::string_view v);
  // Sets `dst` to a deep copy of value `from` of `src` (not its name).
  void Copy(Index dst, const FlatJson& src, Index from);
  // Sorts the members of object `object` by name, as Find expects. Returns false when
  // two members share a name (then `*duplicate` is that name).
  bool SortMembers(Index object, std::string_view* duplicate = nullptr);

  FlatJson Finish() && { return std::move(out_); }

 private:
  FlatJson out_;
};

}  // namespace tailor::decision
