// MetricDef: a metric of experiment results, declared in the `metrics` config section and
// computed from Tailor's own events (docs/experiments.md "Metrics").
//
//   metrics:
//     purchased: {type: conversion, event: purchase, window: 7d}
//     orders:    {type: count, event: purchase, where: {"properties.amount": {"$gt": 0}}}
//     revenue:   {type: sum, event: purchase, property: amount, cuped: {feature: spend_30d}}
//     aov:       {type: ratio, numerator: revenue, denominator: orders}
//
// Per unit (user), a conversion is 1 once any matching event arrived, a count the number of
// matching events, a sum the total of a numeric property; a ratio is Σ numerator / Σ
// denominator over units (delta method). Only events at or after the unit's first
// exposure and before first exposure + `window` (0: no end) count.
//
// Thread safety: immutable after parsing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "condition/condition.h"
#include "core/json_doc.h"
#include "core/status.h"

namespace tailor::experiments {

enum class MetricKind : uint8_t { kConversion, kCount, kSum, kRatio };

// "conversion", "count", "sum", "ratio".
std::string_view MetricKindName(MetricKind kind);

struct MetricDef {
  std::string name;
  MetricKind kind = MetricKind::kConversion;
  std::string event;     // event type counted (not for ratios)
  std::string property;  // sum: the numeric property ("amount", "cart.total")
  int64_t window_ms = 0;  // attribution window after first exposure; 0 = unbounded
  // Filter on the event, evaluated against {"properties": ..., "context": ...}; null = all.
  std::shared_ptr<const condition::Condition> where;
  std::string numerator, denominator;  // ratio: names of non-ratio metrics
  // CUPED covariate: a profile feature read at first exposure ("" = none).
  std::string cuped_feature;
  Json canonical;

  bool is_ratio() const { return kind == MetricKind::kRatio; }
  // Proportion test (conversion) or means test.
  bool is_binomial() const { return kind == MetricKind::kConversion; }
};

// Parses one metric. Errors are kInvalidArgument with a path relative to the metric
// ("window", "where.$gtt"). Ratio components are checked by ValidateMetrics.
Result<MetricDef> ParseMetric(std::string_view name, const Json& def);

// Checks that ratios name existing non-ratio metrics. Error path: "<name>.numerator".
Status ValidateMetrics(const std::map<std::string, MetricDef, std::less<>>& metrics);

}  // namespace tailor::experiments
