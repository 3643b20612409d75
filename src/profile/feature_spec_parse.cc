#include <algorithm>

#include "core/time_util.h"
#include "profile/feature_spec.h"

namespace tailor::profile {

namespace {

Result<int64_t> Duration(const Json& v, const std::string& path) {
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return v.get<int64_t>();
  if (v.is_string()) {
    auto d = ParseDurationMs(v.get<std::string>());
    if (!d.ok()) return InvalidArgument(d.status().message(), path);
    return *d;
  }
  return InvalidArgument("must be a duration such as 30d or 12h", path);
}

Result<std::vector<double>> Cuts(const Json& v, const std::string& path) {
  if (!v.is_array() || v.size() != 4) return InvalidArgument("must be a list of 4 ascending numbers", path);
  std::vector<double> out;
  for (const auto& x : v) {
    if (!x.is_number()) return InvalidArgument("must be a list of 4 ascending numbers", path);
    out.push_back(x.get<double>());
  }
  return out;
}

}  // namespace

Result<FeatureSpec> ParseFeatureSpec(std::string_view name, const Json& def,
                                     const WhereCompiler& compile_where) {
  std::string base = "features." + std::string(name);
  if (!def.is_object()) return InvalidArgument("a feature must be a mapping with a `type`", base);
  FeatureSpec s;
  s.name = std::string(name);
  static const std::vector<std::string_view> kMembers = {
      "type", "events", "field", "window", "half_life", "weights", "top", "max_tracked",
      "where", "thresholds"};
  for (const auto& [key, v] : def.items()) {
    if (std::find(kMembers.begin(), kMembers.end(), key) == kMembers.end()) {
      return InvalidArgument("unknown feature field '" + key + "'", base + "." + key);
    }
  }
  auto type = def.find("type");
  if (type == def.end() || !type->is_string()) {
    return InvalidArgument("required: one of count, sum, avg, min, max, first, last, distinct_count, "
                           "recency, decayed_score, decayed_top, sessions, pages_per_session, "
                           "avg_dwell, rfm, negative",
                           base + ".type");
  }
  auto kind = ParseFeatureKind(type->get<std::string>());
  if (!kind) {
    std::string all;
    for (auto n : AllFeatureKindNames()) all += (all.empty() ? "" : ", ") + std::string(n);
    return InvalidArgument("unknown feature type '" + type->get<std::string>() + "'; use one of " + all,
                           base + ".type");
  }
  s.kind = *kind;
  if (auto it = def.find("events"); it != def.end()) {
    if (!it->is_array()) return InvalidArgument("must be a list of event types", base + ".events");
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) {
        return InvalidArgument("must be an event type name", base + ".events[" + std::to_string(i) + "]");
      }
      s.events.push_back((*it)[i].get<std::string>());
    }
  }
  if (auto it = def.find("field"); it != def.end()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      return InvalidArgument("must be a dot path such as properties.revenue", base + ".field");
    }
    s.field = it->get<std::string>();
  }
  if (auto it = def.find("window"); it != def.end()) {
    TAILOR_ASSIGN_OR_RETURN(s.window_ms, Duration(*it, base + ".window"));
  } else if (s.kind == FeatureKind::kRfm) {
    s.window_ms = 365LL * 86'400'000;
  }
  if (auto it = def.find("half_life"); it != def.end()) {
    TAILOR_ASSIGN_OR_RETURN(s.half_life_ms, Duration(*it, base + ".half_life"));
  }
  if (auto it = def.find("weights"); it != def.end()) {
    if (!it->is_object()) return InvalidArgument("must map event types to numbers", base + ".weights");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_number()) return InvalidArgument("must be a number", base + ".weights." + k);
      s.weights[k] = v.get<double>();
    }
  }
  if (auto it = def.find("top"); it != def.end()) {
    if (!it->is_number_integer()) return InvalidArgument("must be an integer", base + ".top");
    s.top = it->get<int>();
  }
  if (auto it = def.find("max_tracked"); it != def.end()) {
    if (!it->is_number_integer()) return InvalidArgument("must be an integer", base + ".max_tracked");
    s.max_tracked = it->get<int>();
  }
  if (auto it = def.find("thresholds"); it != def.end()) {
    if (s.kind != FeatureKind::kRfm) return InvalidArgument("only rfm features take thresholds", base + ".thresholds");
    if (!it->is_object()) return InvalidArgument("must have recency, frequency and monetary", base + ".thresholds");
    for (const auto& [k, v] : it->items()) {
      std::string p = base + ".thresholds." + k;
      if (k == "recency") {
        TAILOR_ASSIGN_OR_RETURN(s.rfm_recency_days, Cuts(v, p));
      } else if (k == "frequency") {
        TAILOR_ASSIGN_OR_RETURN(s.rfm_frequency, Cuts(v, p));
      } else if (k == "monetary") {
        TAILOR_ASSIGN_OR_RETURN(s.rfm_monetary, Cuts(v, p));
      } else {
        return InvalidArgument("unknown threshold; use recency, frequency or monetary", p);
      }
    }
  }
  if (auto it = def.find("where"); it != def.end()) {
    if (!compile_where) return InvalidArgument("`where` is not supported here", base + ".where");
    auto filter = compile_where(*it);
    if (!filter.ok()) return filter.status().WithPathPrefix(base + ".where");
    s.where = std::move(filter).value();
    s.where_json = it->dump();
  }
  TAILOR_RETURN_IF_ERROR(s.Validate());
  return s;
}

}  // namespace tailor::profile
