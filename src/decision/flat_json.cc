#include "decision/flat_json.h"

#include <algorithm>

#include "core/json_util.h"

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
      slots_[i].integral = !value.is_number_float();
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
      // The names first, then the values: an object's names sit together in the pool,
      // so a Find reads one or two cache lines of it (the root's are the pool's start).
      const auto& members = value.get_ref<const Json::object_t&>();
      Index c = first;
      for (const auto& [key, member] : members) {
        slots_[c].key_off = Intern(key);
        slots_[c++].key_len = static_cast<uint32_t>(key.size());
      }
      c = first;
      for (const auto& [key, member] : members) Fill(c++, member);
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

void FlatJson::AppendJson(std::string* out, Index i) const {
  const Slot& s = slots_[i];
  switch (s.kind) {
    case ValueKind::kNull:
      out->append("null");
      return;
    case ValueKind::kBool:
      out->append(s.u.boolean ? "true" : "false");
      return;
    case ValueKind::kNumber:
      // Integers beyond 2^53 were rounded when they became doubles; they print rounded.
      if (s.integral && s.u.number >= -9.2e18 && s.u.number <= 9.2e18) {
        AppendJsonInt(out, static_cast<int64_t>(s.u.number));
      } else {
        AppendJsonDouble(out, s.u.number);
      }
      return;
    case ValueKind::kString:
      AppendJsonString(out, GetString(i));
      return;
    case ValueKind::kArray:
    case ValueKind::kObject: {
      const bool object = s.kind == ValueKind::kObject;
      out->push_back(object ? '{' : '[');
      for (Index c = s.u.span.first; c < s.u.span.first + s.u.span.count; ++c) {
        if (c != s.u.span.first) out->push_back(',');
        if (object) {
          AppendJsonString(out, KeyOf(slots_[c]));
          out->push_back(':');
        }
        AppendJson(out, c);
      }
      out->push_back(object ? '}' : ']');
      return;
    }
  }
}

Json FlatJson::ToJson(Index i) const {
  const Slot& s = slots_[i];
  switch (s.kind) {
    case ValueKind::kNull:
      return Json(nullptr);
    case ValueKind::kBool:
      return Json(s.u.boolean);
    case ValueKind::kNumber:
      if (s.integral && s.u.number >= -9.2e18 && s.u.number <= 9.2e18) {
        return Json(static_cast<int64_t>(s.u.number));
      }
      return Json(s.u.number);
    case ValueKind::kString:
      return Json(std::string(GetString(i)));
    case ValueKind::kArray: {
      Json out = Json::array();
      for (Index c = s.u.span.first; c < s.u.span.first + s.u.span.count; ++c) out.push_back(ToJson(c));
      return out;
    }
    case ValueKind::kObject: {
      Json out = Json::object();
      for (Index c = s.u.span.first; c < s.u.span.first + s.u.span.count; ++c) {
        out[std::string(KeyOf(slots_[c]))] = ToJson(c);
      }
      return out;
    }
  }
  return Json(nullptr);
}

FlatJson::Builder::Builder(size_t slots, size_t chars) {
  out_.slots_.reserve(slots);
  out_.slots_[0] = Slot{};
  out_.pool_.reserve(chars);
}

FlatJson::Index FlatJson::Builder::Open(Index container, ValueKind kind, size_t count) {
  auto first = static_cast<Index>(out_.slots_.size());
  out_.slots_.resize(out_.slots_.size() + count);
  Slot& s = out_.slots_[container];
  s.kind = kind;
  s.u.span = {first, static_cast<uint32_t>(count)};
  return first;
}

void FlatJson::Builder::SetName(Index member, std::string_view name) {
  out_.slots_[member].key_off = out_.Intern(name);
  out_.slots_[member].key_len = static_cast<uint32_t>(name.size());
}

void FlatJson::Builder::SetBool(Index i, bool v) {
  out_.slots_[i].kind = ValueKind::kBool;
  out_.slots_[i].u.boolean = v;
}

void FlatJson::Builder::SetNumber(Index i, double v, bool integral) {
  out_.slots_[i].kind = ValueKind::kNumber;
  out_.slots_[i].integral = integral;
  out_.slots_[i].u.number = v;
}

void FlatJson::Builder::SetString(Index i, std::string_view v) {
  out_.slots_[i].kind = ValueKind::kString;
  out_.slots_[i].u.span = {out_.Intern(v), static_cast<uint32_t>(v.size())};
}

void FlatJson::Builder::Copy(Index dst, const FlatJson& src, Index from) {
  const Slot& s = src.slots_[from];
  switch (s.kind) {
    case ValueKind::kString:
      SetString(dst, src.GetString(from));
      return;
    case ValueKind::kArray:
    case ValueKind::kObject: {
      Index first = Open(dst, s.kind, s.u.span.count);
      for (uint32_t c = 0; c < s.u.span.count; ++c) {
        if (s.kind == ValueKind::kObject) SetName(first + c, src.KeyOf(src.slots_[s.u.span.first + c]));
        Copy(first + c, src, s.u.span.first + c);
      }
      return;
    }
    default: {
      // Scalars other than strings are self-contained: keep dst's name.
      Slot& d = out_.slots_[dst];
      d.kind = s.kind;
      d.integral = s.integral;
      d.u = s.u;
      return;
    }
  }
}

bool FlatJson::Builder::SortMembers(Index object, std::string_view* duplicate) {
  const Slot& o = out_.slots_[object];
  Slot* begin = out_.slots_.data() + o.u.span.first;
  Slot* end = begin + o.u.span.count;
  const FlatJson& f = out_;
  std::sort(begin, end, [&f](const Slot& a, const Slot& b) { return f.KeyOf(a) < f.KeyOf(b); });
  for (Slot* s = begin; s + 1 < end; ++s) {
    if (f.KeyOf(s[0]) == f.KeyOf(s[1])) {
      if (duplicate != nullptr) *duplicate = f.KeyOf(*s);
      return false;
    }
  }
  return true;
}

}  // namespace tailor::decision
