// The experiment sections (reference: docs/experiments.md "Configuration"):
//   metrics:      named metrics over events (conversion, count, sum, ratio)
//   experiments:  holdout (the global holdout) and definitions (one entry per experiment)
// Registered after content (variations name content) and before placements (rules serve
// {experiment: KEY}). Each entry is parsed by experiments/experiment_set.h.
#include "config/sections.h"
#include "experiments/experiment_set.h"

namespace tailor::config {
namespace {

std::shared_ptr<experiments::ExperimentSet> Extend(const ConfigSnapshot& snapshot) {
  return std::make_shared<experiments::ExperimentSet>(*snapshot.experiments);
}

void AddError(const Status& s, const Value& at, const std::string& base, ErrorList* errors) {
  // The entry's path is already a JSON path ("metrics[1]", "variations[0].content").
  errors->Add(at, s.path().empty() ? base : base + (s.path()[0] == '[' ? "" : ".") + s.path(),
              s.message());
}

void ParseMetrics(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
                  ErrorList* errors) {
  auto set = Extend(*snapshot);
  std::map<std::string, const Value*> where;
  for (const auto& [name, value] : section.Entries("")) {
    std::string path = JoinPath("metrics", name);
    if (!IsIdentifier(name)) {
      errors->Add(*value, path, "metric names must match ^[a-z][a-z0-9_]{0,63}$");
      continue;
    }
    auto m = experiments::ParseMetric(name, ToJson(*value));
    if (!m.ok()) {
      AddError(m.status(), *value, path, errors);
      continue;
    }
    where[name] = value;
    set->metrics.emplace(name, std::move(m).value());
  }
  Status s = experiments::ValidateMetrics(set->metrics);
  if (!s.ok()) {
    const std::string name = s.path().substr(0, s.path().find('.'));
    errors->Add(where.count(name) ? *where[name] : *section.Entries("").front().second,
                "metrics." + s.path(), s.message());
  }
  snapshot->experiments = std::move(set);
}

void ParseExperiments(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
                      ErrorList* errors) {
  auto set = Extend(*snapshot);
  if (const Value* h = section.Get("holdout")) {
    auto holdout = experiments::ParseHoldout(ToJson(*h));
    if (!holdout.ok()) {
      AddError(holdout.status(), *h, "experiments.holdout", errors);
    } else {
      set->holdout = *holdout;
      set->holdout_canonical = ToJson(*h);
    }
  }
  auto d = std::make_shared<decision::DecisionConfig>(*snapshot->decision);
  const auto has_content = [&](std::string_view name) { return d->FindContent(name) != nullptr; };
  for (const auto& [key, value] : section.Entries("definitions")) {
    std::string path = JoinPath("experiments.definitions", key);
    if (!IsIdentifier(key)) {
      errors->Add(*value, path, "experiment keys must match ^[a-z][a-z0-9_]{0,63}$");
      continue;
    }
    auto e = experiments::ParseConfiguredExperiment(key, ToJson(*value), *set, has_content);
    if (!e.ok()) {
      AddError(e.status(), *value, path, errors);
      continue;
    }
    d->experiments.insert(key);
    set->experiments.emplace(
        key, std::make_shared<const experiments::ConfiguredExperiment>(std::move(e).value()));
  }
  snapshot->experiments = std::move(set);
  snapshot->decision = std::move(d);
}

Json CanonicalMetrics(const ConfigSnapshot& s) {
  Json out = Json::object();
  for (const auto& [name, m] : s.experiments->metrics) out[name] = m.canonical;
  return out;
}

Json CanonicalExperiments(const ConfigSnapshot& s) {
  Json out = Json::object();
  if (s.experiments->holdout.fraction > 0) out["holdout"] = s.experiments->holdout_canonical;
  Json defs = Json::object();
  for (const auto& [key, e] : s.experiments->experiments) defs[key] = e->canonical;
  if (!defs.empty()) out["definitions"] = std::move(defs);
  return out;
}

}  // namespace

SectionSpec MetricsSection() {
  SectionSpec s{"metrics", {}, &ParseMetrics, &CanonicalMetrics};
  s.entries_at_top = true;
  return s;
}

SectionSpec ExperimentsSection() {
  return SectionSpec{"experiments",
                     {{"holdout"}, {"definitions", FieldKind::kCollection}},
                     &ParseExperiments,
                     &CanonicalExperiments};
}

}  // namespace tailor::config
