#include "experiments/experiment_parser.h"

#include <cmath>
#include <string>

#include "core/json_util.h"
#include "core/time_util.h"

namespace tailor::experiments {

namespace {

constexpr double kWeightSumTolerance = 1e-3;

std::string Indexed(std::string_view member, size_t i) {
  return std::string(member) + "[" + std::to_string(i) + "]";
}

Result<double> Fraction(const Json& v, const std::string& path) {
  if (!v.is_number()) return InvalidArgument("must be a number", path);
  const double d = v.get<double>();
  if (!(d >= 0 && d <= 1)) {
    return InvalidArgument("must be between 0 and 1, got " + v.dump(), path);
  }
  return d;
}

Result<std::string> String(const Json& v, const std::string& path, bool allow_empty) {
  if (!v.is_string()) return InvalidArgument("must be a string", path);
  std::string s = v.get<std::string>();
  if (!allow_empty && s.empty()) return InvalidArgument("must not be empty", path);
  return s;
}

Result<int> VariationIndex(const Json& v, int num_variations, const std::string& path) {
  if (!v.is_number_integer()) return InvalidArgument("must be a variation index", path);
  const int64_t i = v.get<int64_t>();
  if (i < 0 || i >= num_variations) {
    return InvalidArgument("variation index " + std::to_string(i) + " is out of range [0, " +
                               std::to_string(num_variations) + ")",
                           path);
  }
  return static_cast<int>(i);
}

Status ParseWeights(const Json& v, Experiment* e) {
  if (!v.is_array()) return InvalidArgument("must be an array of numbers", "weights");
  if (v.size() != e->variation_values.size()) {
    return InvalidArgument("has " + std::to_string(v.size()) + " entries but there are " +
                               std::to_string(e->variation_values.size()) + " variations",
                           "weights");
  }
  double sum = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    TAILOR_ASSIGN_OR_RETURN(double w, Fraction(v[i], Indexed("weights", i)));
    e->weights.push_back(w);
    sum += w;
  }
  if (std::fabs(sum - 1) > kWeightSumTolerance) {
    return InvalidArgument("must sum to 1, got " + std::to_string(sum), "weights");
  }
  return Status::OK();
}

Status ParseNamespace(const Json& v, Experiment* e) {
  if (!v.is_array() || v.size() != 3) {
    return InvalidArgument("must be [id, start, end]", "namespace");
  }
  Namespace ns;
  TAILOR_ASSIGN_OR_RETURN(ns.id, String(v[0], "namespace[0]", false));
  TAILOR_ASSIGN_OR_RETURN(ns.start, Fraction(v[1], "namespace[1]"));
  TAILOR_ASSIGN_OR_RETURN(ns.end, Fraction(v[2], "namespace[2]"));
  if (ns.start > ns.end) return InvalidArgument("start must not exceed end", "namespace");
  e->ns = std::move(ns);
  return Status::OK();
}

Status ParseStatus(const Json& v, Experiment* e) {
  TAILOR_ASSIGN_OR_RETURN(std::string s, String(v, "status", false));
  if (s == "draft") {
    e->status = ExperimentStatus::kDraft;
  } else if (s == "running") {
    e->status = ExperimentStatus::kRunning;
  } else if (s == "stopped") {
    e->status = ExperimentStatus::kStopped;
  } else {
    return InvalidArgument("must be \"draft\", \"running\" or \"stopped\", got " + v.dump(),
                           "status");
  }
  return Status::OK();
}

Result<int64_t> Date(const Json& v, const char* path) {
  TAILOR_ASSIGN_OR_RETURN(std::string s, String(v, path, false));
  Result<int64_t> ms = ParseIso8601(s);
  if (!ms.ok()) return InvalidArgument("not an ISO-8601 time: " + ms.status().message(), path);
  return *ms;
}

// Every member except key and variations, which are read first.
Status ParseMember(const std::string& name, const Json& v, const ParseOptions& options,
                   Experiment* e) {
  const int n = e->num_variations();
  if (name == "weights") return ParseWeights(v, e);
  if (name == "coverage") {
    TAILOR_ASSIGN_OR_RETURN(e->coverage, Fraction(v, "coverage"));
    return Status::OK();
  }
  if (name == "condition") {
    if (!v.is_object()) return InvalidArgument("must be an object", "condition");
    condition::CompileOptions co;
    co.dialect = options.condition_dialect;
    Result<condition::Condition> c = condition::Condition::Compile(v, co);
    if (!c.ok()) return c.status().WithPathPrefix("condition");
    e->condition = std::move(c).value();
    e->has_condition = !v.empty();
    return Status::OK();
  }
  if (name == "hashAttribute") {
    TAILOR_ASSIGN_OR_RETURN(e->hash_attribute, String(v, name, false));
    return Status::OK();
  }
  if (name == "fallbackAttribute") {
    TAILOR_ASSIGN_OR_RETURN(e->fallback_attribute, String(v, name, true));
    return Status::OK();
  }
  if (name == "hashVersion") {
    if (!v.is_number_integer() || (v.get<int64_t>() != kHashV1 && v.get<int64_t>() != kHashV2)) {
      return InvalidArgument("must be 1 or 2, got " + v.dump(), name);
    }
    e->hash_version = v.get<int>();
    return Status::OK();
  }
  if (name == "seed") {
    TAILOR_ASSIGN_OR_RETURN(e->seed, String(v, name, true));
    return Status::OK();
  }
  if (name == "namespace") return ParseNamespace(v, e);
  if (name == "status") return ParseStatus(v, e);
  if (name == "active") {
    if (!v.is_boolean()) return InvalidArgument("must be true or false", name);
    if (!v.get<bool>()) e->status = ExperimentStatus::kStopped;
    return Status::OK();
  }
  if (name == "startDate") {
    TAILOR_ASSIGN_OR_RETURN(e->start_ms, Date(v, "startDate"));
    return Status::OK();
  }
  if (name == "endDate") {
    TAILOR_ASSIGN_OR_RETURN(e->end_ms, Date(v, "endDate"));
    return Status::OK();
  }
  if (name == "force") {
    if (v.is_null()) return Status::OK();
    TAILOR_ASSIGN_OR_RETURN(e->force, VariationIndex(v, n, "force"));
    return Status::OK();
  }
  if (name == "forcedVariations") {
    if (!v.is_object()) return InvalidArgument("must be an object", name);
    for (const auto& [id, idx] : v.items()) {
      std::string path = name;
      AppendPathMember(&path, id);
      TAILOR_ASSIGN_OR_RETURN(int i, VariationIndex(idx, n, path));
      e->forced_variations.emplace(id, i);
    }
    return Status::OK();
  }
  if (name == "excludeFromHoldout") {
    if (!v.is_boolean()) return InvalidArgument("must be true or false", name);
    e->in_global_holdout = !v.get<bool>();
    return Status::OK();
  }
  if (name == "name" || name == "description") {
    if (!v.is_string()) return InvalidArgument("must be a string", name);
    return Status::OK();
  }
  return InvalidArgument("unknown member", name);
}

}  // namespace

std::string_view ExperimentStatusName(ExperimentStatus s) {
  switch (s) {
    case ExperimentStatus::kDraft:
      return "draft";
    case ExperimentStatus::kRunning:
      return "running";
    case ExperimentStatus::kStopped:
      return "stopped";
  }
  return "unknown";
}

Result<Experiment> ParseExperiment(const Json& json, const ParseOptions& options) {
  if (!json.is_object()) return InvalidArgument("an experiment must be a JSON object");
  Experiment e;
  auto key = json.find("key");
  if (key == json.end()) return InvalidArgument("is required", "key");
  TAILOR_ASSIGN_OR_RETURN(e.key, String(*key, "key", false));
  auto vars = json.find("variations");
  if (vars == json.end()) return InvalidArgument("is required", "variations");
  if (!vars->is_array()) return InvalidArgument("must be an array", "variations");
  if (vars->empty()) return InvalidArgument("must have at least one variation", "variations");
  for (const Json& v : *vars) e.variation_values.push_back(v.dump());
  e.seed = e.key;
  for (const auto& [name, value] : json.items()) {
    if (name == "key" || name == "variations") continue;
    TAILOR_RETURN_IF_ERROR(ParseMember(name, value, options, &e));
  }
  if (e.start_ms && e.end_ms && *e.start_ms >= *e.end_ms) {
    return InvalidArgument("must be after startDate", "endDate");
  }
  if (e.seed.empty()) e.seed = e.key;  // the SDKs: `seed || key`
  if (e.weights.empty()) e.weights = GetEqualWeights(e.num_variations());
  e.ranges = GetBucketRanges(e.num_variations(), e.coverage, e.weights);
  return e;
}

Result<Experiment> ParseExperimentText(std::string_view text, const ParseOptions& options) {
  Result<Json> j = [&]() -> Result<Json> {
    try {
      return ParseJson(text);
    } catch (const nlohmann::json::exception& e) {  // e.g. numbers out of range
      return InvalidArgument(std::string("malformed JSON: ") + e.what());
    }
  }();
  if (!j.ok()) return j.status();
  return ParseExperiment(*j, options);
}

}  // namespace tailor::experiments
