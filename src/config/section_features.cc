// The `features` section: computed features, one entry per feature, e.g.
//   features:
//     purchases_30d: {type: count, events: [purchase], window: 30d}
// Each entry is parsed by profile::ParseFeatureSpec (the reference: docs/features.md).
#include "config/condition_filter.h"
#include "config/sections.h"

namespace tailor::config {
namespace {

void Parse(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
           ErrorList* errors) {
  std::vector<profile::FeatureSpec> specs;
  for (const auto& [name, value] : section.Entries("")) {
    std::string path = JoinPath("features", name);
    if (!IsIdentifier(name)) {
      errors->Add(*value, path, "feature names must match ^[a-z][a-z0-9_]{0,63}$");
      continue;
    }
    auto spec = profile::ParseFeatureSpec(name, ToJson(*value), &CompileEventFilter);
    if (!spec.ok()) {
      errors->Add(*value, spec.status().path().empty() ? path : spec.status().path(),
                  spec.status().message());
      continue;
    }
    specs.push_back(std::move(spec).value());
  }
  auto set = profile::FeatureSet::Build(std::move(specs));
  if (!set.ok()) {
    errors->Add(ConfigError{"", 0, set.status().path(), set.status().message()});
    set = profile::FeatureSet::Build({});
  }
  snapshot->features = *set;
}

Json Canonical(const ConfigSnapshot& snapshot) {
  Json out = Json::object();
  for (const auto& spec : snapshot.features->specs()) out[spec.name] = spec.Canonical();
  return out;
}

}  // namespace

SectionSpec FeaturesSection() {
  SectionSpec s{"features", {}, &Parse, &Canonical};
  s.entries_at_top = true;
  return s;
}

}  // namespace tailor::config
