#include "experiments/experiment_set.h"

#include "core/json_util.h"
#include "experiments/experiment_parser.h"

namespace tailor::experiments {

namespace {

std::string Indexed(std::string_view member, size_t i) {
  return std::string(member) + "[" + std::to_string(i) + "]";
}

Result<std::vector<std::string>> MetricList(const Json& v, std::string_view member,
                                            const ExperimentSet& set) {
  if (!v.is_array()) return InvalidArgument("must be a list of metric names", std::string(member));
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string() || set.FindMetric(v[i].get<std::string>()) == nullptr) {
      return InvalidArgument("unknown metric " + v[i].dump() + "; define it under metrics",
                             Indexed(member, i));
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

Result<VariationDef> ParseVariation(const Json& v, size_t i,
                                    const std::function<bool(std::string_view)>& has_content) {
  VariationDef d;
  d.name = "variation_" + std::to_string(i);
  const std::string path = Indexed("variations", i);
  if (!v.is_object()) {  // shorthand: the value
    d.value = v;
    return d;
  }
  for (const auto& [key, m] : v.items()) {
    std::string p = path;
    AppendPathMember(&p, key);
    if (key == "name") {
      if (!m.is_string() || m.get<std::string>().empty()) {
        return InvalidArgument("must be a non-empty string", p);
      }
      d.name = m.get<std::string>();
    } else if (key == "content") {
      if (!m.is_string() || !has_content(m.get<std::string>())) {
        return InvalidArgument("must name content defined under content", p);
      }
      d.content = m.get<std::string>();
    } else if (key == "value") {
      d.value = m;
    } else {
      return InvalidArgument("unknown field '" + key + "'; use name, content, value", p);
    }
  }
  return d;
}

}  // namespace

std::vector<std::string> ConfiguredExperiment::AllMetrics() const {
  std::vector<std::string> out = metrics;
  for (const auto& g : guardrails) {
    if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  }
  return out;
}

const ConfiguredExperiment* ExperimentSet::Find(std::string_view key) const {
  auto it = experiments.find(key);
  return it == experiments.end() ? nullptr : it->second.get();
}

const MetricDef* ExperimentSet::FindMetric(std::string_view name) const {
  auto it = metrics.find(name);
  return it == metrics.end() ? nullptr : &it->second;
}

Result<UnitAttribute> ParseUnitAttribute(std::string_view text) {
  UnitAttribute u;
  if (text == "user_id") {
    u.source = UnitSource::kUserId;
  } else if (text == "anonymous_id") {
    u.source = UnitSource::kAnonymousId;
  } else if (text.starts_with("traits.") && text.size() > 7) {
    u.source = UnitSource::kTrait;
    u.trait_path = std::string(text.substr(7));
  } else {
    return InvalidArgument("must be user_id, anonymous_id or traits.<path>, got '" +
                           std::string(text) + "'");
  }
  return u;
}

std::string UnitAttributeName(const UnitAttribute& u) {
  switch (u.source) {
    case UnitSource::kUserId:
      return "user_id";
    case UnitSource::kAnonymousId:
      return "anonymous_id";
    case UnitSource::kTrait:
      return "traits." + u.trait_path;
  }
  return "";
}

Result<GlobalHoldout> ParseHoldout(const Json& def) {
  if (!def.is_object()) return InvalidArgument("must be {fraction, seed, hash_attribute}");
  GlobalHoldout h;
  h.hash_attribute = "user_id";
  for (const auto& [key, v] : def.items()) {
    if (key == "fraction") {
      if (!v.is_number()) return InvalidArgument("must be a number in [0, 1)", key);
      h.fraction = v.get<double>();
    } else if (key == "seed") {
      if (!v.is_string()) return InvalidArgument("must be a string", key);
      h.seed = v.get<std::string>();
    } else if (key == "hash_attribute") {
      if (!v.is_string()) return InvalidArgument("must be a string", key);
      auto u = ParseUnitAttribute(v.get<std::string>());
      if (!u.ok()) return u.status().WithPathPrefix(key);
      h.hash_attribute = v.get<std::string>();
    } else {
      return InvalidArgument("unknown field; use fraction, seed, hash_attribute", key);
    }
  }
  Status s = h.Validate();
  if (!s.ok()) return s.path().empty() ? Status(s).WithPathPrefix("fraction") : s;
  return h;
}

Result<ConfiguredExperiment> ParseConfiguredExperiment(
    std::string_view key, const Json& def, const ExperimentSet& set,
    const std::function<bool(std::string_view)>& has_content) {
  if (!def.is_object()) return InvalidArgument("an experiment is {variations, weights, ...}");
  ConfiguredExperiment out;
  Json gb = Json::object();
  gb["key"] = std::string(key);
  gb["hashAttribute"] = "user_id";
  gb["fallbackAttribute"] = "anonymous_id";
  for (const auto& [member, v] : def.items()) {
    if (member == "key") return InvalidArgument("the entry name is the key", "key");
    if (member == "metrics") {
      TAILOR_ASSIGN_OR_RETURN(out.metrics, MetricList(v, "metrics", set));
    } else if (member == "guardrails") {
      TAILOR_ASSIGN_OR_RETURN(out.guardrails, MetricList(v, "guardrails", set));
    } else if (member == "variations") {
      if (!v.is_array()) return InvalidArgument("must be a list", "variations");
      Json values = Json::array();
      for (size_t i = 0; i < v.size(); ++i) {
        TAILOR_ASSIGN_OR_RETURN(VariationDef d, ParseVariation(v[i], i, has_content));
        values.push_back(d.value.is_null() ? Json(d.name) : d.value);
        out.variations.push_back(std::move(d));
      }
      gb["variations"] = std::move(values);
    } else {
      gb[member] = v;
    }
  }
  if (!def.contains("variations")) return InvalidArgument("is required", "variations");
  TAILOR_ASSIGN_OR_RETURN(out.experiment, ParseExperiment(gb));
  if (out.experiment.num_variations() < 2) {
    return InvalidArgument("an experiment needs at least two variations", "variations");
  }
  auto unit = ParseUnitAttribute(out.experiment.hash_attribute);
  if (!unit.ok()) return unit.status().WithPathPrefix("hashAttribute");
  out.unit = *unit;
  if (!out.experiment.fallback_attribute.empty()) {
    auto fb = ParseUnitAttribute(out.experiment.fallback_attribute);
    if (!fb.ok()) return fb.status().WithPathPrefix("fallbackAttribute");
    if (fb->source != out.unit.source || fb->trait_path != out.unit.trait_path) {
      out.fallback_unit = *fb;
    }
  }
  out.canonical = def;
  return out;
}

}  // namespace tailor::experiments
