// The recommendation sections (reference: docs/recommendations.md "Configuration"):
//   items:         catalog entries (id -> title, categories, tags, attributes)
//   recommenders:  named models with parameters, event weights, retraining and serving
// Registered before placements, whose rules serve {recommend: NAME}. Each entry is
// parsed by recommenders/serving/rec_config.h.
#include <algorithm>

#include "config/sections.h"
#include "recommenders/serving/rec_config.h"

namespace tailor::config {
namespace {

std::shared_ptr<recommenders::RecConfig> Extend(const ConfigSnapshot& snapshot) {
  return std::make_shared<recommenders::RecConfig>(*snapshot.recommenders);
}

void AddError(const Status& s, const Value& at, const std::string& base, ErrorList* errors) {
  errors->Add(at, s.path().empty() ? base : base + (s.path()[0] == '[' ? "" : ".") + s.path(),
              s.message());
}

void ParseItems(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
                ErrorList* errors) {
  auto rc = Extend(*snapshot);
  for (const auto& [id, value] : section.Entries("")) {
    std::string path = JoinPath("items", id);
    auto doc = recommenders::ParseItemDoc(id, ToJson(*value));
    if (!doc.ok()) {
      AddError(doc.status(), *value, path, errors);
      continue;
    }
    rc->items[id] = std::move(doc).value();
  }
  snapshot->recommenders = std::move(rc);
}

void ParseRecommenders(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
                       ErrorList* errors) {
  auto rc = Extend(*snapshot);
  auto d = std::make_shared<decision::DecisionConfig>(*snapshot->decision);
  for (const auto& [name, value] : section.Entries("")) {
    std::string path = JoinPath("recommenders", name);
    if (!IsIdentifier(name)) {
      errors->Add(*value, path, "recommender names must match ^[a-z][a-z0-9_]{0,63}$");
      continue;
    }
    auto spec = recommenders::ParseModelSpec(name, ToJson(*value));
    if (!spec.ok()) {
      AddError(spec.status(), *value, path, errors);
      continue;
    }
    bool segments_ok = true;
    for (size_t i = 0; i < spec->cold_start_segments.size(); ++i) {
      const std::string& segment = spec->cold_start_segments[i];
      const auto& specs = snapshot->segments->specs();
      if (std::none_of(specs.begin(), specs.end(),
                       [&](const auto& s) { return s.name == segment; })) {
        errors->Add(*value, path + ".cold_start_segments[" + std::to_string(i) + "]",
                    "must name a segment defined under segments");
        segments_ok = false;
      }
    }
    if (!segments_ok) continue;
    d->recommenders.insert(name);
    rc->models[name] = std::make_shared<const recommenders::ModelSpec>(std::move(spec).value());
  }
  snapshot->recommenders = std::move(rc);
  snapshot->decision = std::move(d);
}

Json CanonicalItems(const ConfigSnapshot& s) {
  Json out = Json::object();
  for (const auto& [id, doc] : s.recommenders->items) {
    Json c = doc;
    c.erase("id");
    out[id] = std::move(c);
  }
  return out;
}

Json CanonicalRecommenders(const ConfigSnapshot& s) {
  Json out = Json::object();
  for (const auto& [name, m] : s.recommenders->models) out[name] = m->canonical;
  return out;
}

}  // namespace

SectionSpec ItemsSection() {
  SectionSpec s{"items", {}, &ParseItems, &CanonicalItems};
  s.entries_at_top = true;
  return s;
}

SectionSpec RecommendersSection() {
  SectionSpec s{"recommenders", {}, &ParseRecommenders, &CanonicalRecommenders};
  s.entries_at_top = true;
  return s;
}

}  // namespace tailor::config
