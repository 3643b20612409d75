// ExperimentService: experiments as the running server sees them — the active
// ExperimentSet, sticky assignments (KvStickyStore) and exposures with their metric
// aggregates (ExposureTracker). The `experiment` decision action and POST /v1/assign call
// AssignAndExpose; the ingest pipeline feeds OnEvent; the results API reads Aggregates.
//
// Thread safety: safe for concurrent use; Configure swaps the set atomically.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "condition/document.h"
#include "condition/saved_groups.h"
#include "core/json_doc.h"
#include "experiments/assign.h"
#include "experiments/experiment_set.h"
#include "experiments/exposure_tracker.h"
#include "experiments/kv_sticky_store.h"
#include "storage/kv_store.h"

namespace tailor::experiments {

// Who is being assigned. Views; all must outlive the call.
struct Subject {
  std::string_view user_id;
  std::string_view anonymous_id;
  std::string_view pid;            // "" for a visitor without a profile
  const Json* traits = nullptr;    // the profile's traits object (may be null)
  const Json* features = nullptr;  // features as of now (CUPED covariates; may be null)
  // What the targeting condition reads (traits, features, segments, context).
  const condition::Document* document = nullptr;
  const condition::SavedGroups* saved_groups = nullptr;
  int64_t now_ms = 0;
  bool record = true;  // false: answer without recording exposures or sticky entries
};

// The assignment's views (hash_attribute, hash_value()) do not outlive the call: read
// `unit` and `attribute` instead.
struct Served {
  Assignment assignment;
  std::string attribute;     // the unit attribute used ("user_id", "traits.company")
  bool exposed_now = false;  // this call recorded the unit's first exposure
  std::string unit;          // the hashed id ("" when none)
};

class ExperimentService {
 public:
  // `store` must outlive the service.
  explicit ExperimentService(storage::KvStore& store);

  // Restores exposures and aggregates (ExposureTracker::Load).
  Status Load() { return tracker_.Load(); }
  void Configure(std::shared_ptr<const ExperimentSet> set);
  std::shared_ptr<const ExperimentSet> set() const { return set_.load(std::memory_order_acquire); }

  // Assigns `subject` (sticky), and records the first exposure when it is in the
  // experiment by hashing or stickiness (forced QA users are not exposures).
  Served AssignAndExpose(const ConfiguredExperiment& e, const Subject& subject);

  void OnEvent(const ingest::Event& event) { tracker_.OnEvent(event); }
  Status Flush() { return tracker_.Flush(); }
  ExposureTracker& tracker() { return tracker_; }
  const ExposureTracker& tracker() const { return tracker_; }
  KvStickyStore& sticky() { return sticky_; }

 private:
  std::atomic<std::shared_ptr<const ExperimentSet>> set_;
  KvStickyStore sticky_;
  ExposureTracker tracker_;
};

// The id `attribute` names for `subject`: user id, anonymous id or a trait (strings, and
// numbers in JavaScript's form). Writes into `storage` when the value is not a view.
std::string_view ResolveUnit(const UnitAttribute& attribute, const Subject& subject,
                             std::string* storage);

}  // namespace tailor::experiments
