// FeatureSet: the compiled `features` section. Apply() folds one event into the states of
// every feature it matches (incremental, O(bounded state)); Read() evaluates every
// feature "as of now", so windows slide without new events.
//
// Thread safety: a FeatureSet is immutable and safe to share; the states it updates
// belong to one profile and are serialized by the caller (the ingest pipeline).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json_doc.h"
#include "core/status.h"
#include "condition/document.h"
#include "profile/event_view.h"
#include "profile/feature_spec.h"
#include "profile/feature_state.h"

namespace tailor::profile {

// What a feature reads from one event.
struct EventFacts {
  std::string_view type;
  int64_t timestamp_ms = 0;
  std::string_view session_id;
  // {"type","timestamp","session_id","properties","context"}; when null, Apply reads
  // fields from the texts below instead (EventView, or EventDocumentJson when needed).
  const Json* doc = nullptr;
  std::string_view properties_json;  // the event's properties object ("" = none)
  std::string_view context_json;     // the event's context object ("" = none)
};

class FeatureSet {
 public:
  // Validates and compiles `specs` (names must be unique).
  static Result<std::shared_ptr<const FeatureSet>> Build(std::vector<FeatureSpec> specs);

  const std::vector<FeatureSpec>& specs() const { return specs_; }
  bool empty() const { return specs_.empty(); }
  // Unique among the sets of this process (never 0): lets a reader compiled against this
  // set (a segment threshold holding a feature's index) check it reads the same one.
  uint64_t id() const { return id_; }

  // True when an event of `type` needs EventFacts::doc (a field or a where filter).
  bool NeedsDocument(std::string_view type) const;
  // The profile document paths ("features.<name>") an event of `type` may change: those
  // of the features it updates. Segments reading none of them keep their membership at
  // ingest (SegmentSet::Evaluate with `changed`).
  const std::vector<std::string>& ChangedPaths(std::string_view type) const;
  // False when no field or `where` filter can read the event's `context`: the document
  // may then leave it out (conservative: true when in doubt).
  bool ReadsContext() const { return reads_context_; }

  // Folds `event` into `states` (creating states on first use; a state computed for an
  // older definition of the feature is reset). Never fails: a missing or mistyped field
  // is counted in FeatureState::bad_field and in bad_field_events().
  void Apply(const EventFacts& event, FeatureStates* states) const;
  // The same for an event given as text (`event.doc` null; REQUIRES: view not null):
  // fields and `where` filters are read through `view` (reused from event to event)
  // rather than a JSON document, with the same results. Text simdjson rejects is read
  // from EventDocumentJson instead.
  void Apply(const EventFacts& event, FeatureStates* states, EventView* view) const;
  // Ingest's call: Apply(event, states, view) when some feature reads events of
  // event.type, returning ChangedPaths(event.type); null, changing nothing, when none
  // does (one lookup of the type).
  const std::vector<std::string>* ApplyIfRelevant(const EventFacts& event, FeatureStates* states,
                                                  EventView* view) const;
  // Starts loading into the cache the states an event of `type` updates in `states`
  // (those at their rank, see AtRank), without reading them. Ingest calls it for every
  // event of a batch before it applies the first: a profile touched once per batch is
  // cold, and its states then arrive together instead of one miss after another.
  // `contents` false prefetches the states themselves; true what they point at (a long
  // name, the latest bucket and session, the top-N and item lists), which reads the states, so
  // ingest calls it in a second pass, once the first has had time to arrive.
  void Prefetch(std::string_view type, const FeatureStates& states, bool contents) const;

  // Every feature's value as of `now_ms`, as {"name": value}. Features never updated
  // read as their empty value (0, null or []).
  Json Read(const FeatureStates& states, int64_t now_ms) const;

  // The index in specs() of the feature named `name`, or -1 when there is none.
  int IndexOf(std::string_view name) const;
  // Feature `i`'s value as of `now_ms`: the same value Read() puts under its name.
  // REQUIRES: i < specs().size().
  Json ReadValue(size_t i, const FeatureStates& states, int64_t now_ms) const;

  // Feature `i`'s value as ReadValue() gives it, for readers that avoid building JSON
  // (segments/profile_view.h): kinds whose value is a number or null are answered here;
  // the others (first, last, negative, decayed_top, rfm) are kOther and read with
  // ReadValue(), or for first/last straight from the state (FirstLast).
  struct Scalar {
    enum class Kind : uint8_t { kNull, kInt, kDouble, kOther };
    Kind kind = Kind::kNull;
    int64_t i = 0;   // kInt: what ReadValue holds as an integer
    double d = 0;    // kDouble
  };
  Scalar ReadScalar(size_t i, const FeatureStates& states, int64_t now_ms) const;
  // For a `first` or `last` feature: the value ReadValue() returns, without a copy; null
  // (a static) when unset or stale. REQUIRES: feature `i` is of kind first or last.
  const Json& FirstLast(size_t i, const FeatureStates& states) const;
  // For an `rfm` feature: the value ReadValue() returns, as one of 125 objects built
  // once and shared (segment conditions read it at every purchase); null (a static) when
  // unset or stale. REQUIRES: feature `i` is of kind rfm.
  const Json& RfmValue(size_t i, const FeatureStates& states, int64_t now_ms) const;

  // Names of features whose state in `states` was computed for another definition
  // (backfill pending).
  std::vector<std::string> Stale(const FeatureStates& states) const;

  // The digest identifying a feature's definition.
  const std::string& Digest(size_t i) const { return digests_[i]; }

  // Events that matched a feature but lacked a usable field, per feature (for /metrics).
  uint64_t bad_field_events(size_t i) const { return bad_field_[i]->load(std::memory_order_relaxed); }

 private:
  FeatureSet() = default;
  struct FieldRef;
  void ApplyOne(size_t i, const EventFacts& event, const FieldRef& field, FeatureState* st) const;
  Json ReadOne(size_t i, const FeatureState* st, int64_t now_ms) const;
  Scalar ScalarOne(size_t i, const FeatureState* st, int64_t now_ms) const;
  const Json& RfmOne(size_t i, const FeatureState* st, int64_t now_ms) const;
  const FeatureState* StateOf(size_t i, const FeatureStates& states) const;
  // True when feature i's state sits at its rank in name order (states.nth(name_rank_[i])),
  // as it does once a profile holds a state for every feature of this set and no other:
  // one comparison instead of a search of string compares, each a cache miss on a cold
  // profile.
  bool AtRank(size_t i, const FeatureStates& states) const;

  // What an event of one type does, resolved once in Build: the features it updates (in
  // name order, as Apply walks the states), whether they need the event document, and
  // the paths they change.
  struct TypePlan {
    std::vector<size_t> specs;
    bool needs_doc = false;
    std::vector<std::string> paths;
  };
  const TypePlan& PlanFor(std::string_view type) const;
  void ApplyPlan(const TypePlan& plan, const EventFacts& event, FeatureStates* states,
                 EventView* view) const;
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  uint64_t id_ = 0;
  std::vector<FeatureSpec> specs_;
  std::vector<std::string> digests_;
  std::vector<std::string> partial_digests_;  // digests_[i] + "~partial"
  std::unordered_map<std::string, size_t, NameHash, std::equal_to<>> index_;  // name -> index
  std::vector<size_t> by_name_;                       // indexes of specs_ in name order
  std::vector<size_t> name_rank_;                     // per spec: its position in by_name_
  std::map<std::string, TypePlan, std::less<>> plans_;  // event types some feature names
  TypePlan any_type_plan_;  // other types: the features of every event type
  bool reads_context_ = false;
  std::vector<std::vector<std::string>> field_steps_;  // per spec: `field` split at dots
  std::vector<std::unique_ptr<std::atomic<uint64_t>>> bad_field_;
};

// Looks up a dot path ("properties.revenue") in `doc`; nullptr when absent.
const Json* LookupPath(const Json& doc, std::string_view path);

}  // namespace tailor::profile
