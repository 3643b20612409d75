#include "experiments/metric.h"

#include "core/json_util.h"
#include "core/time_util.h"

namespace tailor::experiments {

namespace {

Result<std::string> NonEmpty(const Json& v, const char* path) {
  if (!v.is_string() || v.get<std::string>().empty()) {
    return InvalidArgument("must be a non-empty string", path);
  }
  return v.get<std::string>();
}

}  // namespace

std::string_view MetricKindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kConversion:
      return "conversion";
    case MetricKind::kCount:
      return "count";
    case MetricKind::kSum:
      return "sum";
    case MetricKind::kRatio:
      return "ratio";
  }
  return "unknown";
}

Result<MetricDef> ParseMetric(std::string_view name, const Json& def) {
  if (!def.is_object()) return InvalidArgument("a metric is {type: conversion, event: NAME, ...}");
  MetricDef m;
  m.name = std::string(name);
  auto type = def.find("type");
  if (type == def.end()) return InvalidArgument("required: conversion, count, sum or ratio", "type");
  const std::string t = type->is_string() ? type->get<std::string>() : "";
  if (t == "conversion") {
    m.kind = MetricKind::kConversion;
  } else if (t == "count") {
    m.kind = MetricKind::kCount;
  } else if (t == "sum") {
    m.kind = MetricKind::kSum;
  } else if (t == "ratio") {
    m.kind = MetricKind::kRatio;
  } else {
    return InvalidArgument("must be conversion, count, sum or ratio, got " + type->dump(), "type");
  }
  for (const auto& [key, v] : def.items()) {
    if (key == "type") continue;
    if (key == "event" && !m.is_ratio()) {
      TAILOR_ASSIGN_OR_RETURN(m.event, NonEmpty(v, "event"));
    } else if (key == "property" && m.kind == MetricKind::kSum) {
      TAILOR_ASSIGN_OR_RETURN(m.property, NonEmpty(v, "property"));
    } else if (key == "window" && !m.is_ratio()) {
      if (!v.is_string()) return InvalidArgument("must be a duration such as \"7d\"", "window");
      auto ms = ParseDurationMs(v.get<std::string>());
      if (!ms.ok()) return ms.status().WithPathPrefix("window");
      if (*ms <= 0) return InvalidArgument("must be positive", "window");
      m.window_ms = *ms;
    } else if (key == "where" && !m.is_ratio()) {
      auto c = condition::Condition::Compile(v);
      if (!c.ok()) return c.status().WithPathPrefix("where");
      m.where = std::make_shared<const condition::Condition>(std::move(c).value());
    } else if ((key == "numerator" || key == "denominator") && m.is_ratio()) {
      TAILOR_ASSIGN_OR_RETURN(std::string ref, NonEmpty(v, key.c_str()));
      (key == "numerator" ? m.numerator : m.denominator) = std::move(ref);
    } else if (key == "cuped" && !m.is_ratio()) {
      auto f = v.is_object() ? v.find("feature") : v.end();
      if (!v.is_object() || v.size() != 1 || f == v.end() || !f->is_string() ||
          f->get<std::string>().empty()) {
        return InvalidArgument("must be {feature: NAME}", "cuped");
      }
      m.cuped_feature = f->get<std::string>();
    } else if (key == "description") {
      if (!v.is_string()) return InvalidArgument("must be a string", "description");
    } else {
      return InvalidArgument("unknown field for a " + t +
                                 " metric; use " +
                                 (m.is_ratio() ? "numerator, denominator"
                                  : m.kind == MetricKind::kSum
                                      ? "event, property, window, where, cuped"
                                      : "event, window, where, cuped"),
                             key);
    }
  }
  if (m.is_ratio()) {
    if (m.numerator.empty()) return InvalidArgument("required: a metric name", "numerator");
    if (m.denominator.empty()) return InvalidArgument("required: a metric name", "denominator");
  } else {
    if (m.event.empty()) return InvalidArgument("required: the event type", "event");
    if (m.kind == MetricKind::kSum && m.property.empty()) {
      return InvalidArgument("required: the numeric property summed", "property");
    }
  }
  m.canonical = def;
  return m;
}

Status ValidateMetrics(const std::map<std::string, MetricDef, std::less<>>& metrics) {
  for (const auto& [name, m] : metrics) {
    if (!m.is_ratio()) continue;
    for (const auto* ref : {&m.numerator, &m.denominator}) {
      std::string path = name;
      AppendPathMember(&path, ref == &m.numerator ? "numerator" : "denominator");
      auto it = metrics.find(*ref);
      if (it == metrics.end()) return InvalidArgument("unknown metric '" + *ref + "'", path);
      if (it->second.is_ratio()) {
        return InvalidArgument("a ratio's parts must not be ratios ('" + *ref + "')", path);
      }
    }
  }
  return Status::OK();
}

}  // namespace tailor::experiments
