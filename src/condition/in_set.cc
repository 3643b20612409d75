#include "condition/in_set.h"

#include <algorithm>

#include "condition/js_semantics.h"
#include "condition/saved_groups.h"
#include "core/json_util.h"

namespace tailor::condition {

namespace {

// Compares an attribute string, lowercased on the fly, with a lowercased set entry.
int CompareLowered(std::string_view probe, std::string_view lowered) {
  size_t n = std::min(probe.size(), lowered.size());
  for (size_t i = 0; i < n; ++i) {
    auto a = static_cast<unsigned char>(internal::AsciiLower(probe[i]));
    auto b = static_cast<unsigned char>(lowered[i]);
    if (a != b) return a < b ? -1 : 1;
  }
  return probe.size() < lowered.size() ? -1 : (probe.size() > lowered.size() ? 1 : 0);
}

}  // namespace

InSet::InSet(const nlohmann::json& values, bool insensitive, bool* has_composite)
    : insensitive_(insensitive) {
  if (has_composite != nullptr) *has_composite = false;
  for (const auto& v : values) {
    switch (v.type()) {
      case nlohmann::json::value_t::null:
        has_null_ = true;
        break;
      case nlohmann::json::value_t::boolean:
        (v.get<bool>() ? has_true_ : has_false_) = true;
        break;
      case nlohmann::json::value_t::number_integer:
      case nlohmann::json::value_t::number_unsigned:
      case nlohmann::json::value_t::number_float:
        numbers_.push_back(v.get<double>());
        break;
      case nlohmann::json::value_t::string: {
        const auto& s = v.get_ref<const std::string&>();
        strings_.push_back(insensitive ? internal::AsciiLowerCopy(s) : s);
        break;
      }
      default:
        if (has_composite != nullptr) *has_composite = true;
    }
  }
  std::sort(strings_.begin(), strings_.end());
  strings_.erase(std::unique(strings_.begin(), strings_.end()), strings_.end());
  std::sort(numbers_.begin(), numbers_.end());
  numbers_.erase(std::unique(numbers_.begin(), numbers_.end()), numbers_.end());
}

bool InSet::Contains(Value v) const {
  switch (v.kind()) {
    case ValueKind::kNull:
      return has_null_;
    case ValueKind::kBool:
      return v.GetBool() ? has_true_ : has_false_;
    case ValueKind::kNumber:
      return std::binary_search(numbers_.begin(), numbers_.end(), v.GetNumber());
    case ValueKind::kString: {
      std::string_view s = v.GetString();
      if (!insensitive_) {
        // Short lists (the common case) are faster to scan than to bisect.
        if (strings_.size() <= 8) {
          for (const std::string& e : strings_) {
            if (e == s) return true;
          }
          return false;
        }
        auto it = std::lower_bound(strings_.begin(), strings_.end(), s,
                                   [](const std::string& a, std::string_view b) { return a < b; });
        return it != strings_.end() && *it == s;
      }
      auto it = std::lower_bound(
          strings_.begin(), strings_.end(), s,
          [](const std::string& a, std::string_view b) { return CompareLowered(b, a) > 0; });
      return it != strings_.end() && CompareLowered(s, *it) == 0;
    }
    default:
      return false;  // arrays/objects are never "included" (reference identity)
  }
}

bool InSet::Matches(Value actual) const {
  if (actual.kind() != ValueKind::kArray) return Contains(actual);
  size_t n = actual.size();
  for (size_t i = 0; i < n; ++i) {
    if (Contains(actual.At(i))) return true;
  }
  return false;
}

Result<SavedGroups> SavedGroups::FromJson(const nlohmann::json& groups) {
  if (!groups.is_object()) return InvalidArgument("saved groups must be a JSON object", "$");
  SavedGroups out;
  for (const auto& [id, values] : groups.items()) {
    std::string path;
    AppendPathMember(&path, id);
    if (!values.is_array())
      return InvalidArgument("a saved group must be an array of values", path);
    bool composite = false;
    InSet set(values, /*insensitive=*/false, &composite);
    if (composite) {
      return InvalidArgument("saved group values must be strings, numbers, booleans or null", path);
    }
    out.groups_.emplace(id, std::move(set));
  }
  return out;
}

const InSet* SavedGroups::Find(std::string_view id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

}  // namespace tailor::condition
