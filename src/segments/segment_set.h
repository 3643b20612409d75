// SegmentSet: the compiled `segments` section. A segment is a condition over the
// profile document (profile_document.h): traits.*, features.*, segments (names of the
// segments the profile is in), consent.*, profile.* and, at decision time, context.*.
//
// Evaluation order: segments that do not read `segments` first, then the others until
// membership is stable (at most one pass per segment). A child requires its parent;
// within an exclusive group only the matching segment with the highest priority (then
// the smallest name) is kept; a cold-start fallback segment applies only while the
// profile has fewer than `fallback_max_events` events.
//
// Thread safety: immutable after Build; safe to share.
#pragma once

#include <boost/dynamic_bitset.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "condition/condition.h"
#include "core/json_doc.h"
#include "core/status.h"
#include "profile/features.h"
#include "segments/profile_view.h"

namespace tailor::segments {

struct SegmentSpec {
  std::string name;
  std::shared_ptr<const condition::Condition> condition;
  Json condition_json;
  std::string description;
  int priority = 0;          // higher wins within an exclusive group
  std::string group;         // exclusive group name; "" = none
  std::string parent;        // "" = none
  bool fallback = false;     // cold-start fallback segment
  int64_t fallback_max_events = 3;

  Json Canonical() const;
};

// Parses {"condition": {...}, "priority": 1, "group": "tier", "parent": "buyers",
// "fallback": {"max_events": 3}, "description": "..."}. Errors carry the path
// "segments.<name>.<field>" (condition errors: "segments.<name>.condition.<path>").
Result<SegmentSpec> ParseSegmentSpec(std::string_view name, const Json& def);

// One flag per segment of a SegmentSet, in its specs() order (word-wise copies, compares
// and scans: ingest evaluates membership as flags for every touched profile).
using SegmentFlags = boost::dynamic_bitset<uint64_t>;

class SegmentSet {
 public:
  // Checks names, parents (exist, no cycles) and compiles the evaluation order.
  // `features` (may be null) tells which feature values change with time alone.
  static Result<std::shared_ptr<const SegmentSet>> Build(std::vector<SegmentSpec> specs,
                                                         const profile::FeatureSet* features);

  const std::vector<SegmentSpec>& specs() const { return specs_; }
  bool empty() const { return specs_.empty(); }
  // Unique among the sets of this process (never 0): names this set in
  // Profile::segment_flags_of.
  uint64_t id() const { return id_; }
  const SegmentSpec* Find(std::string_view name) const;

  // Evaluates every segment against `doc` (a profile document); fills doc["segments"]
  // with the sorted names of the segments matched and returns them. Without a context
  // (`has_context` false: profile reads, background refresh), segments that read
  // `context.*` keep the membership doc["segments"] held on entry.
  std::vector<std::string> Evaluate(Json* doc, const condition::SavedGroups* groups,
                                    bool has_context = true) const;

  // The same over a ProfileView (no JSON document is built): membership on entry is the
  // viewed profile's stored segments; the view's `segments` array follows the passes.
  // Returns the sorted names of the segments matched.
  // With `changed` (document paths an event changed: roots like "traits", or
  // "features.<name>"), only segments reading under one of them are re-evaluated, with
  // the segments joined to them by parent links and exclusive groups (a parent's change
  // can take its child out, a member's can change its group's winner), plus every
  // cold-start segment and `segments` reader and their clusters; the rest keep their
  // membership on entry.
  // Time alone changes them through the refresher and reads, as for profiles without
  // events (issue 3: "an event re-evaluates only the segments whose conditions depend on
  // what it changed").
  std::vector<std::string> Evaluate(ProfileView* view, const condition::SavedGroups* groups,
                                    bool has_context = true,
                                    const std::vector<std::string>* changed = nullptr) const;

  // Which segments a change reaches, resolved once for a list of changed paths (ingest
  // resolves one per event type and batch, then ORs them per profile).
  struct Reach {
    bool any = false;            // DependsOnAny(changed)
    SegmentFlags reevaluate;  // per segment (specs() order): false = keeps membership
    // Adds what `other` reaches. REQUIRES: both from the same SegmentSet.
    void Add(const Reach& other);
  };
  Reach ReachOf(const std::vector<std::string>& changed) const;

  // Evaluate(view, groups, has_context, &changed) with `reach` = ReachOf(changed).
  std::vector<std::string> Reevaluate(ProfileView* view, const condition::SavedGroups* groups,
                                      bool has_context, const Reach& reach) const;

  // Reevaluate() giving membership as one flag per segment in specs() order (which is
  // name order) rather than as names; `reach` null re-evaluates every segment, as
  // Evaluate(view) does. With `stored_flags`, also the viewed profile's stored membership
  // in the same form (names no segment has any more left out): ingest finds entries and
  // exits by comparing the two. The stored membership is the profile's segment_flags when
  // they are this set's (Profile::segment_flags_of), else read from its names.
  SegmentFlags ReevaluateFlags(ProfileView* view, const condition::SavedGroups* groups,
                               bool has_context, const Reach* reach,
                               SegmentFlags* stored_flags = nullptr) const;

  // True when segment `i`'s condition is a numeric comparison of one feature, answered
  // from the feature's number over a ProfileView (see Threshold below).
  bool AnsweredAsThreshold(size_t i) const { return thresholds_[i].has_value(); }

  // True when some segment reads `context.*`.
  bool ReadsContext() const { return any_context_reader_; }

  // True when segment `i` may change membership with time alone (it reads a windowed or
  // decaying feature, a recency, or profile times), so it must be re-evaluated at read.
  bool TimeDependent(size_t i) const { return time_dependent_[i]; }
  bool AnyTimeDependent() const;

  // True when any segment reads a path under one of `roots` (e.g. "traits",
  // "features.purchases_30d", "consent"), a cold-start segment counting as a reader of
  // "profile.event_count"; lets ingest skip segment work for events that change nothing
  // a segment reads.
  bool DependsOnAny(const std::vector<std::string>& roots) const;

 private:
  SegmentSet() = default;
  // Both Evaluate overloads: `view` answers conditions, `publish(in)` makes the
  // `segments` array seen by the next conditions the names of the segments in `in`.
  // `reevaluate` (null = all): segments that may not keep their membership on entry.
  // `holds(i)`: segment i's own condition.
  template <typename Publish, typename Holds>
  SegmentFlags EvaluateOver(const SegmentFlags& before_eval, int64_t events, bool has_context,
                            Publish&& publish, Holds&& holds,
                            const SegmentFlags* reevaluate = nullptr) const;

  uint64_t id_ = 0;
  uint64_t features_id_ = 0;  // id() of the FeatureSet given to Build (0: none)
  std::vector<SegmentSpec> specs_;
  std::map<std::string, size_t, std::less<>> index_;  // name -> index in specs_
  std::vector<int> parent_;                           // index of the parent, or -1
  std::vector<bool> reads_segments_;
  SegmentFlags context_free_;  // segments that do not read `context`
  std::vector<bool> time_dependent_;
  std::vector<std::vector<std::string>> paths_;
  // True when the segment may keep its membership on entry (Evaluate with `changed`):
  // false for cold-start segments, `segments` readers and the segments joined to one by
  // parent links or exclusive groups (its cluster).
  SegmentFlags keepable_;
  // The clusters of keepable segments (a standalone segment is a cluster of one), and
  // path read -> the clusters with a member reading it (a change of it re-evaluates them).
  std::vector<std::vector<size_t>> clusters_;
  std::vector<size_t> clustered_;  // keepable segments of clusters of more than one
  std::map<std::string, std::vector<size_t>, std::less<>> readers_;
  bool any_fallback_ = false;  // some segment has a cold-start rule
  // A condition that only compares one feature with numbers, e.g.
  // {"features.purchases_30d": {"$gte": 3}} (most segments over features are thresholds):
  // over a ProfileView it is answered from the feature's number, read once per view,
  // without walking the condition. When the feature does not read as a number (null, an
  // array, another FeatureSet) the condition is evaluated as usual.
  struct Threshold {
    enum class Op : uint8_t { kEq, kGt, kGte, kLt, kLte };
    std::string feature;  // its name
    size_t index = 0;     // its index in the FeatureSet given to Build
    std::vector<std::pair<Op, double>> ops;  // all must hold
    // The condition's answer for the number `x`: JavaScript's comparisons, so NaN
    // compares false (condition_eval.cc, LooseCompare and StrictEquals).
    bool Matches(double x) const;
  };
  // The names of the segments flagged in `in` (specs() order).
  std::vector<std::string> Names(const SegmentFlags& in) const;
  // The flags of the stored membership `stored` (names no segment has are left out).
  SegmentFlags StoredFlags(
      const boost::container::flat_map<std::string, int64_t, std::less<>>& stored) const;
  static std::optional<Threshold> ParseThreshold(const Json& condition,
                                                 const profile::FeatureSet* features);
  // Segment `i`'s own condition over `view`.
  bool ConditionHolds(size_t i, const ProfileView& view, const condition::SavedGroups* groups) const;

  std::vector<std::optional<Threshold>> thresholds_;  // per segment; nullopt: not one
  std::vector<int> group_;  // index of the exclusive group, or -1
  size_t groups_ = 0;
  std::vector<size_t> with_parent_;  // segments with a parent, by index
  std::vector<size_t> grouped_;      // segments in an exclusive group, by index
  bool any_reader_ = false;          // some segment reads `segments`
  bool any_context_reader_ = false;  // some segment reads `context`
};

}  // namespace tailor::segments
