// Assign: which variation of an experiment a user gets, GrowthBook-compatible.
//
// The steps, in the SDKs' order with Tailor's additions marked (+):
//   1. fewer than 2 variations                      -> not in experiment
//   2. context forced variation for the key (QA)     -> that variation (forced)
//   3. (+) status not running / outside the dates    -> not in experiment
//   4. hash attribute value (fallback attribute when empty); none -> not in experiment
//   5. (+) experiment forcedVariations[hash value]   -> that variation (forced)
//   6. sticky store hit for (key, seed)              -> that variation, skip 7-9
//   7. namespace range, 8. targeting condition       -> else not in experiment
//   9. (+) global holdout                            -> not in experiment
//  10. hash(seed, value, version); unknown version  -> not in experiment
//  11. bucket -> variation by ranges; none (coverage gap) -> not in experiment
//  12. experiment `force`                           -> that variation (forced)
//  13. in experiment; record in the sticky store
// A user who is not in the experiment sees variation 0 (variation_id 0), as in the SDKs.
// A forced user is reported as the SDKs do: in_experiment true, hash_used false, reason
// kForced; exposure logging should skip kForced so QA views do not enter the results.
//
// Cost: no heap allocation (unless the condition uses regexes or the sticky store
// records a new assignment); see bench/micro/assignment_bench.cc.
//
// Thread safety: Assign is a pure function of its inputs apart from the sticky store,
// whose own thread safety applies.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "condition/document.h"
#include "condition/js_semantics.h"
#include "condition/saved_groups.h"
#include "experiments/experiment.h"
#include "experiments/holdout.h"
#include "experiments/sticky_store.h"

namespace tailor::experiments {

enum class AssignReason : uint8_t {
  kAssigned,  // hashed into a variation
  kSticky,    // kept the variation recorded in the sticky store
  kForced,    // a QA / force override chose the variation
  kTooFewVariations,
  kNotRunning,    // draft or stopped
  kOutsideDates,  // before startDate or at/after endDate
  kNoHashValue,   // the hash attribute (and fallback) is missing or empty
  kNamespace,     // outside the experiment's namespace range
  kCondition,     // targeting condition false
  kHoldout,       // in the global holdout
  kUnknownHashVersion,
  kCoverage,  // bucket fell outside every variation's range
};

// "assigned", "sticky", "forced", "too_few_variations", ...
std::string_view AssignReasonName(AssignReason r);

// Everything about the request that is not the experiment or the attributes. All
// pointers are optional and not owned.
struct AssignContext {
  int64_t now_ms = 0;  // epoch ms; compared with the experiment's start/end dates
  const GlobalHoldout* holdout = nullptr;
  StickyStore* sticky = nullptr;
  const condition::SavedGroups* saved_groups = nullptr;
  // QA overrides by experiment key (the SDKs' context.forcedVariations).
  const std::map<std::string, int, std::less<>>* forced_variations = nullptr;
  // Integrators that resolve the unit themselves (the server: user_id, anonymous_id or a
  // trait path) pass it here; Assign then does not read hash_attribute / fallback from
  // the attributes. Views; must outlive the Assignment. nullopt: read the attributes.
  std::optional<std::string_view> hash_value;
  // The attribute `hash_value` came from (sticky key, reporting); "": the experiment's.
  std::string_view hash_value_attribute;
  // Likewise for the global holdout's attribute (nullopt: read the attributes).
  std::optional<std::string_view> holdout_value;
};

struct Assignment {
  bool in_experiment = false;
  int variation_id = 0;
  bool hash_used = false;  // the bucket decided the variation
  bool sticky_used = false;
  double bucket = 0;  // the hash value in [0, 1) when computed, else 0
  AssignReason reason = AssignReason::kTooFewVariations;
  std::string_view hash_attribute;  // the attribute actually used (may be the fallback)

  // The hashed attribute value as a string ("" when none). Views the attributes Document
  // (or this object, for numbers): valid while both are alive.
  std::string_view hash_value() const {
    return number_len_ ? std::string_view(number_, number_len_) : hash_value_;
  }

 private:
  friend Assignment Assign(const Experiment&, const condition::Document&, const AssignContext&);
  std::string_view hash_value_;
  char number_[condition::internal::kNumberBufferSize] = {};
  uint8_t number_len_ = 0;
};

// Assigns the user described by `attributes` (its Root() must be the attribute object).
// Never fails: every way of not taking part is a reason.
Assignment Assign(const Experiment& experiment, const condition::Document& attributes,
                  const AssignContext& context = {});

}  // namespace tailor::experiments
