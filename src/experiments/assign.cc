#include "experiments/assign.h"

#include <cstring>

namespace tailor::experiments {

namespace {

// The SDKs' hash value: strings as they are, numbers in JavaScript's String(n) form, true
// as "true"; false, null, missing, arrays and objects give "" (no value).
void ReadHashValue(const condition::Document& doc, std::string_view attribute,
                   std::string_view* view, char* number_buf, uint8_t* number_len) {
  condition::Node node;
  *view = {};
  *number_len = 0;
  const condition::Node root = doc.Root();
  if (doc.Kind(root) != condition::ValueKind::kObject || !doc.Find(root, attribute, &node)) {
    return;
  }
  switch (doc.Kind(node)) {
    case condition::ValueKind::kString:
      *view = doc.GetString(node);
      return;
    case condition::ValueKind::kNumber: {
      char buf[condition::internal::kNumberBufferSize];
      std::string_view s = condition::internal::FormatJsNumber(doc.GetNumber(node), buf);
      std::memcpy(number_buf, s.data(), s.size());
      *number_len = static_cast<uint8_t>(s.size());
      return;
    }
    case condition::ValueKind::kBool:
      if (doc.GetBool(node)) *view = "true";
      return;
    default:
      return;
  }
}

Assignment NotIn(Assignment a, AssignReason reason) {
  a.in_experiment = false;
  a.variation_id = 0;
  a.reason = reason;
  return a;
}

// The SDKs report a forced user as in the experiment with hashUsed false.
Assignment Forced(Assignment a, int variation) {
  a.in_experiment = true;
  a.variation_id = variation;
  a.reason = AssignReason::kForced;
  return a;
}

}  // namespace

std::string_view AssignReasonName(AssignReason r) {
  switch (r) {
    case AssignReason::kAssigned:
      return "assigned";
    case AssignReason::kSticky:
      return "sticky";
    case AssignReason::kForced:
      return "forced";
    case AssignReason::kTooFewVariations:
      return "too_few_variations";
    case AssignReason::kNotRunning:
      return "not_running";
    case AssignReason::kOutsideDates:
      return "outside_dates";
    case AssignReason::kNoHashValue:
      return "no_hash_value";
    case AssignReason::kNamespace:
      return "namespace";
    case AssignReason::kCondition:
      return "condition";
    case AssignReason::kHoldout:
      return "holdout";
    case AssignReason::kUnknownHashVersion:
      return "unknown_hash_version";
    case AssignReason::kCoverage:
      return "coverage";
  }
  return "unknown";
}

Assignment Assign(const Experiment& e, const condition::Document& attributes,
                  const AssignContext& context) {
  Assignment a;
  const int n = e.num_variations();
  if (n < 2) return NotIn(a, AssignReason::kTooFewVariations);
  if (context.forced_variations) {
    auto it = context.forced_variations->find(e.key);
    if (it != context.forced_variations->end() && it->second >= 0 && it->second < n) {
      return Forced(a, it->second);
    }
  }
  if (e.status != ExperimentStatus::kRunning) return NotIn(a, AssignReason::kNotRunning);
  if ((e.start_ms && context.now_ms < *e.start_ms) || (e.end_ms && context.now_ms >= *e.end_ms)) {
    return NotIn(a, AssignReason::kOutsideDates);
  }

  a.hash_attribute = e.hash_attribute;
  if (context.hash_value) {
    a.hash_value_ = *context.hash_value;
    if (!context.hash_value_attribute.empty()) a.hash_attribute = context.hash_value_attribute;
  } else {
    ReadHashValue(attributes, e.hash_attribute, &a.hash_value_, a.number_, &a.number_len_);
  }
  if (!context.hash_value && a.hash_value().empty() && !e.fallback_attribute.empty()) {
    a.hash_attribute = e.fallback_attribute;
    ReadHashValue(attributes, e.fallback_attribute, &a.hash_value_, a.number_, &a.number_len_);
  }
  const std::string_view value = a.hash_value();
  if (value.empty()) return NotIn(a, AssignReason::kNoHashValue);

  if (!e.forced_variations.empty()) {
    auto it = e.forced_variations.find(value);
    if (it != e.forced_variations.end()) return Forced(a, it->second);
  }

  const StickyKey sticky_key{a.hash_attribute, value, e.key, e.seed};
  std::optional<int> sticky;
  if (context.sticky) {
    sticky = context.sticky->Lookup(sticky_key);
    if (sticky && (*sticky < 0 || *sticky >= n)) sticky.reset();  // variations were removed
  }
  if (!sticky) {
    if (e.ns && !InNamespace(value, *e.ns)) return NotIn(a, AssignReason::kNamespace);
    if (e.has_condition && !e.condition.Evaluate(attributes, context.saved_groups)) {
      return NotIn(a, AssignReason::kCondition);
    }
  }
  if (e.in_global_holdout && context.holdout && context.holdout->fraction > 0) {
    std::string_view holdout_value = value;
    Assignment h;
    if (context.holdout_value) {
      holdout_value = *context.holdout_value;
    } else if (context.holdout->hash_attribute != a.hash_attribute) {
      ReadHashValue(attributes, context.holdout->hash_attribute, &h.hash_value_, h.number_,
                    &h.number_len_);
      holdout_value = h.hash_value();
    }
    if (InGlobalHoldout(*context.holdout, holdout_value)) return NotIn(a, AssignReason::kHoldout);
  }

  std::optional<double> bucket = Hash(e.seed, value, e.hash_version);
  if (!bucket) return NotIn(a, AssignReason::kUnknownHashVersion);
  a.bucket = *bucket;
  if (sticky) {
    a.in_experiment = true;
    a.variation_id = *sticky;
    a.sticky_used = true;
    a.reason = AssignReason::kSticky;
    return a;
  }
  const int variation = ChooseVariation(*bucket, e.ranges);
  if (variation < 0) return NotIn(a, AssignReason::kCoverage);
  if (e.force) return Forced(a, *e.force);
  a.in_experiment = true;
  a.hash_used = true;
  a.variation_id = variation;
  a.reason = AssignReason::kAssigned;
  if (context.sticky) context.sticky->Record(sticky_key, variation);
  return a;
}

}  // namespace tailor::experiments
