#include "decision/flat_json.h"

#include <algorithm>

namespace tailor::decision {

using condition::ValueKind;

FlatJson::FlatJson() {
  slots_.resize(1);
  slots_[0].kind = ValueKind::kObject;
  slots_[0].u.span = {1, 0};
}

FlatJson::FlatJson(const Json& value) {
  slots_.reserve(16);
  slots_.resize(1);
  Fill(kRoot, value);
}

uint32_t FlatJson::Intern(std::string_view s) {
  auto off = static_cast<uint32_t>(pool_.size());
  pool_.append(s);
  return off;
}

void FlatJson::Fill(Index i, const Json& value) {
  // Slots are addressed by index: slots_ grows (and may move) while children are filled.
  switch (value.type()) {
    case Json::value_t::boolean:
      slots_[i].kind = ValueKind::kBool;
      slots_[i].u.boolean = value.get<bool>();
      return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      slots_[i].kind = ValueKind::kNumber;
      slots_[i].u.number = value.get<double>();
      return;
    case Json::value_t::string: {
      const auto& s = value.get_ref<const Json::string_t&>();
      slots_[i].kind = ValueKind::kString;
      slots_[i].u.span = {Intern(s), static_cast<uint32_t>(s.size())};
      return;
    }
    case Json::value_t::array: {
      auto first = static_cast<Index>(slots_.size());
      auto count = static_cast<uint32_t>(value.size());
      slots_[i].kind = ValueKind::kArray;
      slots_[i].u.span = {first, count};
      slots_.resize(slots_.size() + count);
      Index c = first;
      for (const Json& e : value) Fill(c++, e);
      return;
    }
    case Json::value_t::object: {
      auto first = static_cast<Index>(slots_.size());
      auto count = static_cast<uint32_t>(value.size());
      slots_[i].kind = ValueKind::kObject;
      slots_[i].u.span = {first, count};
      slots_.resize(slots_.size() + count);
      // object_t is a std::map: members come sorted by name (bytewise), as Find expects.
      Index c = first;
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        slots_[c].key_off = Intern(key);
        slots_[c].key_len = static_cast<uint32_t>(key.size());
        Fill(c++, member);
      }
      return;
    }
    default:
      slots_[i].kind = ValueKind::kNull;
      return;
  }
}

bool FlatJson::Find(Index i, std::string_view key, Index* out) const {
  const Slot& o = slots_[i];
  if (o.kind != ValueKind::kObject) return false;
  const Slot* begin = slots_.data() + o.u.span.first;
  const Slot* end = begin + o.u.span.count;
  if (o.u.span.count <= 8) {
    // Length and first byte before memcmp: most members differ there, and the call to
    // memcmp cost more than the scan (profile names such as features/segments share a
    // length).
    for (const Slot* s = begin; s != end; ++s) {
      if (s->key_len == key.size() && (key.empty() || pool_[s->key_off] == key[0]) &&
          KeyOf(*s) == key) {
        *out = static_cast<Index>(s - slots_.data());
        return true;
      }
    }
    return false;
  }
  const Slot* s = std::lower_bound(begin, end, key, [this](const Slot& a, std::string_view k) {
    return KeyOf(a) < k;
  });
  if (s == end || KeyOf(*s) != key) return false;
  *out = static_cast<Index>(s - slots_.data());
  return true;
}

bool FlatJson::Lookup(Index start, std::span<const condition::PathSegment> path,
                      Index* out) const {
  Index cur = start;
  for (const condition::PathSegment& seg : path) {
    const Slot& s = slots_[cur];
    if (s.kind == ValueKind::kObject) {
      if (!Find(cur, seg.key, &cur)) return false;
    } else if (s.kind == ValueKind::kArray) {
      // JavaScript's `"1" in array`: only canonical indexes below the length exist.
      if (seg.index < 0 || static_cast<uint64_t>(seg.index) >= s.u.span.count) return false;
      cur = s.u.span.first + static_cast<Index>(seg.index);
    } else {
      return false;
    }
  }
  *out = cur;
  return true;
}

}  // namespace tailor::decision
