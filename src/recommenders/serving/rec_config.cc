#include "recommenders/serving/rec_config.h"

#include <cmath>

#include "core/time_util.h"
#include "recommenders/registry.h"

namespace tailor::recommenders {

namespace {

std::string At(std::string_view base, std::string_view member) {
  return base.empty() ? std::string(member) : std::string(base) + "." + std::string(member);
}

Result<double> Number(const Json& v, std::string_view path, double min, double max) {
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < min ||
      v.get<double>() > max) {
    return InvalidArgument(
        "must be a number in [" + std::to_string(min) + ", " + std::to_string(max) + "]",
        std::string(path));
  }
  return v.get<double>();
}

Result<int64_t> Duration(const Json& v, std::string_view path) {
  if (!v.is_string())
    return InvalidArgument("must be a duration such as \"1h\"", std::string(path));
  auto ms = ParseDurationMs(v.get<std::string>());
  if (!ms.ok() || *ms <= 0)
    return InvalidArgument("must be a positive duration such as \"1h\"", std::string(path));
  return *ms;
}

// Parameters are given as YAML scalars; models parse text.
Result<ModelParams> Params(const Json& v) {
  if (!v.is_object())
    return InvalidArgument("must be a mapping of parameter names to values", "params");
  ModelParams out;
  for (const auto& [k, p] : v.items()) {
    if (p.is_string())
      out[k] = p.get<std::string>();
    else if (p.is_number() || p.is_boolean())
      out[k] = p.dump();
    else
      return InvalidArgument("must be a number, boolean or string", "params." + k);
  }
  return out;
}

Result<ServingOptions> ParseServing(const Json& v) {
  if (!v.is_object()) return InvalidArgument("must be a mapping", "serving");
  ServingOptions s;
  s.canonical = v;
  for (const auto& [k, x] : v.items()) {
    std::string p = At("serving", k);
    if (k == "boosts") {
      if (!x.is_array()) return InvalidArgument("must be a list of {when, multiplier}", p);
      for (size_t i = 0; i < x.size(); ++i) {
        std::string bp = p + "[" + std::to_string(i) + "]";
        const Json& b = x[i];
        if (!b.is_object() || !b.contains("when") || !b.contains("multiplier") || b.size() != 2) {
          return InvalidArgument("must be {when: CONDITION, multiplier: NUMBER}", bp);
        }
        auto c = condition::Condition::Compile(b["when"]);
        if (!c.ok()) {
          const std::string& sub = c.status().path();
          return InvalidArgument(c.status().message(),
                                 bp + ".when" + (sub.empty() ? "" : "." + sub));
        }
        TAILOR_ASSIGN_OR_RETURN(double m, Number(b["multiplier"], bp + ".multiplier", 0, 1000));
        s.boosts.push_back({std::make_shared<const condition::Condition>(std::move(c).value()), m});
      }
    } else if (k == "mmr_lambda") {
      TAILOR_ASSIGN_OR_RETURN(s.mmr_lambda, Number(x, p, 0.01, 1));
    } else if (k == "category_cap") {
      TAILOR_ASSIGN_OR_RETURN(double c, Number(x, p, 0, 1000));
      s.category_cap = static_cast<int>(c);
    } else if (k == "popularity_exponent") {
      TAILOR_ASSIGN_OR_RETURN(s.popularity_exponent, Number(x, p, 0, 2));
    } else if (k == "provider_cap") {
      TAILOR_ASSIGN_OR_RETURN(s.provider_cap, Number(x, p, 0.01, 1));
    } else if (k == "candidate_factor") {
      TAILOR_ASSIGN_OR_RETURN(double c, Number(x, p, 1, 100));
      s.candidate_factor = static_cast<int>(c);
    } else {
      return InvalidArgument(
          "unknown field; use boosts, mmr_lambda, category_cap, popularity_exponent, "
          "provider_cap, candidate_factor",
          p);
    }
  }
  return s;
}

}  // namespace

Result<ModelSpec> ParseModelSpec(std::string_view name, const Json& def) {
  if (!def.is_object()) return InvalidArgument("must be a mapping with at least `model`");
  ModelSpec m;
  m.name = std::string(name);
  m.canonical = def;
  if (!def.contains("model") || !def["model"].is_string()) {
    return InvalidArgument("required: the model's registry name (als, ease, itemknn, ...)",
                           "model");
  }
  m.model = def["model"].get<std::string>();
  for (const auto& [k, v] : def.items()) {
    if (k == "model") continue;
    if (k == "params") {
      TAILOR_ASSIGN_OR_RETURN(m.params, Params(v));
    } else if (k == "events") {
      if (!v.is_object() || v.empty()) return InvalidArgument("must map event types to weights", k);
      m.event_weights.clear();
      for (const auto& [type, w] : v.items()) {
        TAILOR_ASSIGN_OR_RETURN(m.event_weights[type], Number(w, "events." + type, 0, 1e6));
      }
    } else if (k == "item_property") {
      if (!v.is_string() || v.get<std::string>().empty())
        return InvalidArgument("must be a property name", k);
      m.item_property = v.get<std::string>();
    } else if (k == "decay_half_life") {
      TAILOR_ASSIGN_OR_RETURN(int64_t ms, Duration(v, k));
      m.decay_half_life_seconds = static_cast<double>(ms) / 1000.0;
    } else if (k == "retrain_every") {
      TAILOR_ASSIGN_OR_RETURN(m.retrain_every_ms, Duration(v, k));
      if (m.retrain_every_ms < 60'000) return InvalidArgument("must be at least 1m", k);
    } else if (k == "history_events") {
      TAILOR_ASSIGN_OR_RETURN(double h, Number(v, k, 1, 10000));
      m.history_events = static_cast<int>(h);
    } else if (k == "shadow_sample") {
      TAILOR_ASSIGN_OR_RETURN(m.shadow_sample, Number(v, k, 0, 1));
    } else if (k == "cold_start_segments") {
      if (!v.is_array()) return InvalidArgument("must be a list of segment names", k);
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string() || v[i].get<std::string>().empty()) {
          return InvalidArgument("must be a segment name", k + "[" + std::to_string(i) + "]");
        }
        m.cold_start_segments.push_back(v[i].get<std::string>());
      }
    } else if (k == "serving") {
      TAILOR_ASSIGN_OR_RETURN(m.serving, ParseServing(v));
    } else {
      return InvalidArgument(
          "unknown field; use model, params, events, item_property, decay_half_life, "
          "retrain_every, history_events, cold_start_segments, shadow_sample, serving",
          k);
    }
  }
  // Catches unknown models and parameters at config time, not at the first training.
  auto created = CreateModel(m.model, m.params);
  if (!created.ok()) {
    const auto& s = created.status();
    if (s.code() == StatusCode::kNotFound) return InvalidArgument(s.message(), "model");
    std::string p = s.path();
    if (p.rfind(m.model + ".", 0) == 0) p = p.substr(m.model.size() + 1);
    return InvalidArgument(s.message(), p.empty() ? "params" : "params." + p);
  }
  return m;
}

Result<Json> ParseItemDoc(std::string_view id, const Json& def) {
  if (id.empty() || id.size() > 256) return InvalidArgument("item ids are 1 to 256 bytes", "id");
  if (!def.is_object()) return InvalidArgument("an item is {title, categories, tags, attributes}");
  Json out = {{"id", std::string(id)},
              {"title", ""},
              {"categories", Json::array()},
              {"tags", Json::array()},
              {"attributes", Json::object()}};
  for (const auto& [k, v] : def.items()) {
    if (k == "id") {
      if (!v.is_string() || v.get<std::string>() != id)
        return InvalidArgument("must equal the item's id", k);
    } else if (k == "title") {
      if (!v.is_string()) return InvalidArgument("must be a string", k);
      out[k] = v;
    } else if (k == "categories" || k == "tags") {
      if (!v.is_array()) return InvalidArgument("must be a list of strings", k);
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string())
          return InvalidArgument("must be a string", k + "[" + std::to_string(i) + "]");
      }
      out[k] = v;
    } else if (k == "attributes") {
      if (!v.is_object())
        return InvalidArgument("must be a mapping (price, in_stock, provider, ...)", k);
      out[k] = v;
    } else {
      return InvalidArgument("unknown field; use title, categories, tags, attributes", k);
    }
  }
  return out;
}

}  // namespace tailor::recommenders
