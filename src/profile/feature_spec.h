// FeatureSpec: one computed feature declared in the `features` config section, e.g.
//   purchases_30d: {type: count, events: [purchase], window: 30d}
// Specs are immutable once built; a FeatureSet (features.h) compiles a list of them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "condition/document.h"
#include "core/json_doc.h"
#include "core/status.h"

namespace tailor::profile {

enum class FeatureKind : uint8_t {
  kCount,           // events in the window
  kSum,             // sum of a numeric field in the window
  kAvg,             // mean of a numeric field in the window
  kMin,             // minimum of a numeric field in the window
  kMax,             // maximum of a numeric field in the window
  kFirst,           // field value of the earliest event (all time)
  kLast,            // field value of the latest event (all time)
  kDistinctCount,   // distinct values of a field in the window (bounded memory)
  kRecency,         // milliseconds since the latest matching event, as of now
  kDecayedScore,    // sum of weights, each decayed with half_life since its event
  kDecayedTop,      // top-N values of a field by decayed weight (affinity)
  kSessions,        // sessions with a matching event in the window
  kPagesPerSession, // matching events per session in the window
  kAvgDwell,        // mean session duration (first to last event) in the window, ms
  kRfm,             // recency / frequency / monetary scores 1..5 (quantile thresholds)
  kNegative,        // recent distinct field values of negative signals (skips, bounces)
};

// Parses "count", "decayed_top", ...; nullopt when unknown.
std::optional<FeatureKind> ParseFeatureKind(std::string_view name);
std::string_view FeatureKindName(FeatureKind kind);
// Every kind name, for error messages.
std::vector<std::string_view> AllFeatureKindNames();
// True for kinds that read `field` (and therefore require it).
bool KindNeedsField(FeatureKind kind);
// True for kinds whose value depends on a window (and so changes with time alone).
bool KindUsesWindow(FeatureKind kind);

// A condition over an event document {"type","timestamp","properties","context"}; the
// `where` filter. Implemented by the condition module, injected so profile/ stays pure.
// The document is either the JSON document (condition::JsonDocument) or an EventView.
class EventFilter {
 public:
  virtual ~EventFilter() = default;
  virtual bool Matches(const condition::Document& event_doc) const = 0;
};

struct FeatureSpec {
  std::string name;
  FeatureKind kind = FeatureKind::kCount;
  std::vector<std::string> events;  // event types; empty = every type
  std::string field;                // dot path into the event document, "" when unused
  int64_t window_ms = 0;            // 0 = all time
  int64_t half_life_ms = 7LL * 86'400'000;
  std::map<std::string, double> weights;  // per event type (decayed kinds); default 1
  int top = 5;                            // decayed_top: values returned
  int max_tracked = 256;                  // memory bound for distinct / top / negative / sessions
  // rfm: thresholds splitting each dimension into 5 scores (4 ascending cut points).
  // recency in days (smaller is better), frequency in events, monetary in field units.
  std::vector<double> rfm_recency_days = {7, 30, 90, 180};
  std::vector<double> rfm_frequency = {1, 2, 4, 8};
  std::vector<double> rfm_monetary = {20, 100, 300, 1000};
  std::shared_ptr<const EventFilter> where;  // null = no filter
  std::string where_json;                    // canonical text of `where` ("" = none)

  // The canonical JSON of the definition (changes => backfill needed).
  Json Canonical() const;
  // Checks ranges and required fields; errors name the field ("features.x.window").
  Status Validate() const;
};

}  // namespace tailor::profile

namespace tailor::profile {

// Compiles a `where` condition (JSON) into a filter; injected by the composition root
// (the condition module). Returns kInvalidArgument naming the operator and path.
using WhereCompiler =
    std::function<Result<std::shared_ptr<const EventFilter>>(const Json& condition)>;

// Parses one feature definition from its JSON form, e.g.
//   {"type":"sum","events":["purchase"],"field":"properties.revenue","window":"90d"}
// Durations are strings ("30d") or integers of ms. Errors carry the path
// "features.<name>.<field>". Unknown members are errors. `compile_where` may be null
// when no `where` is used (a `where` then is an error).
Result<FeatureSpec> ParseFeatureSpec(std::string_view name, const Json& def,
                                     const WhereCompiler& compile_where);

}  // namespace tailor::profile
