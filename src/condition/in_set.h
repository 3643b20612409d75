// InSet: the compiled right-hand side of $in / $nin / $ini / $nini and of a saved group.
// Membership follows JavaScript's Array#includes (SameValueZero: no type coercion, so "2"
// is not in [2]); arrays and objects listed in the set never match, as in the SDKs.
//
// Thread safety: immutable after construction; Contains/Matches are const.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "condition/document.h"

namespace tailor::condition {

class InSet {
 public:
  InSet() = default;
  // `values` must be a JSON array. With `insensitive`, strings are compared after ASCII
  // lowercasing on both sides ($ini / $nini). Sets `*has_composite` when the array holds
  // arrays or objects (which can never match), so strict callers can reject them.
  InSet(const nlohmann::json& values, bool insensitive, bool* has_composite = nullptr);

  // True when the scalar `v` is in the set.
  bool Contains(Value v) const;
  // The SDKs' isIn: an array attribute matches when any of its elements is in the set.
  bool Matches(Value actual) const;

 private:
  std::vector<std::string> strings_;  // sorted, unique; lowercased when insensitive_
  std::vector<double> numbers_;       // sorted, unique
  bool has_true_ = false;
  bool has_false_ = false;
  bool has_null_ = false;
  bool insensitive_ = false;
};

}  // namespace tailor::condition
