// ExperimentSet: the `experiments` and `metrics` config sections, validated and compiled,
// as one immutable object (part of config::ConfigSnapshot).
//
//   experiments:
//     holdout: {fraction: 0.05}
//     definitions:
//       checkout_button:
//         variations: [{name: control, content: hero_a}, {name: green, content: hero_b}]
//         weights: [0.5, 0.5]
//         hashAttribute: user_id      # user_id | anonymous_id | traits.<path>
//         status: running
//         metrics: [purchased, revenue]
//         guardrails: [errors]
//
// An entry takes every member of the GrowthBook shape (experiment_parser.h) except `key`
// (the entry name) plus `metrics` and `guardrails` (metric names); `variations` items
// are {name, content, value} objects or plain values. Default hash attribute user_id,
// fallback anonymous_id.
//
// Thread safety: immutable after parsing.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_doc.h"
#include "core/status.h"
#include "experiments/experiment.h"
#include "experiments/holdout.h"
#include "experiments/metric.h"

namespace tailor::experiments {

struct VariationDef {
  std::string name;     // "control", "green"; default "variation_<i>"
  std::string content;  // content served by the `experiment` action ("" = value only)
  Json value;           // value served (null = none)
};

// Where the unit (the hashed id) comes from.
enum class UnitSource : uint8_t { kUserId, kAnonymousId, kTrait };

struct UnitAttribute {
  UnitSource source = UnitSource::kUserId;
  std::string trait_path;  // kTrait: path below traits ("company", "org.id")
};

struct ConfiguredExperiment {
  Experiment experiment;  // assignment model; experiment.key is the entry name
  std::vector<VariationDef> variations;
  UnitAttribute unit;
  std::optional<UnitAttribute> fallback_unit;
  std::vector<std::string> metrics;     // primary metrics, in config order
  std::vector<std::string> guardrails;  // guardrail metrics
  Json canonical;

  const std::string& key() const { return experiment.key; }
  bool running() const { return experiment.status == ExperimentStatus::kRunning; }
  // Every metric the experiment reads (primary then guardrails).
  std::vector<std::string> AllMetrics() const;
};

class ExperimentSet {
 public:
  GlobalHoldout holdout;
  Json holdout_canonical = Json::object();
  std::map<std::string, MetricDef, std::less<>> metrics;
  // Shared so a set can be copied and extended (an Experiment is move-only).
  std::map<std::string, std::shared_ptr<const ConfiguredExperiment>, std::less<>> experiments;

  const ConfiguredExperiment* Find(std::string_view key) const;
  const MetricDef* FindMetric(std::string_view name) const;
};

// Parses one experiment entry named `key` against the metrics in `set`. `has_content`
// says whether content of a name exists (variation `content`). Errors are
// kInvalidArgument with a path relative to the entry ("weights", "metrics[1]").
Result<ConfiguredExperiment> ParseConfiguredExperiment(
    std::string_view key, const Json& def, const ExperimentSet& set,
    const std::function<bool(std::string_view)>& has_content);

// Parses `holdout: {fraction, seed, hash_attribute}`; path relative to it.
Result<GlobalHoldout> ParseHoldout(const Json& def);

// "user_id", "anonymous_id" or "traits.<path>".
Result<UnitAttribute> ParseUnitAttribute(std::string_view text);
std::string UnitAttributeName(const UnitAttribute& u);

}  // namespace tailor::experiments
