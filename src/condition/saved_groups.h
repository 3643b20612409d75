// SavedGroups: named id lists referenced by $inGroup / $notInGroup ("beta_testers" ->
// ["u1", "u7", ...]). Built once from configuration, then shared read-only by every
// evaluation; a condition names its group and looks it up at evaluation time, so groups
// can change without recompiling conditions. An unknown group behaves as an empty list.
//
// Thread safety: immutable after construction; Find is const and safe to call
// concurrently. Build a new SavedGroups and swap it to change groups.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "condition/in_set.h"
#include "core/status.h"

namespace tailor::condition {

class SavedGroups {
 public:
  SavedGroups() = default;

  // Compiles {"group_id": [values...], ...}. Values are strings, numbers, booleans or null.
  // Errors (kInvalidArgument, with the path of the offending entry): not an object, a group
  // that is not an array, an array or object inside a group.
  static Result<SavedGroups> FromJson(const nlohmann::json& groups);

  // The compiled group, or nullptr when unknown. No allocation.
  const InSet* Find(std::string_view id) const;
  size_t size() const { return groups_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, InSet, Hash, std::equal_to<>> groups_;
};

}  // namespace tailor::condition
