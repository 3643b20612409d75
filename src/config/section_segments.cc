// The `segments` section: conditions over the profile document, one entry per segment:
//   segments:
//     repeat_buyers: {condition: {"features.purchases_30d": {"$gte": 2}}, priority: 1}
// Each entry is parsed by segments::ParseSegmentSpec (reference: docs/segments.md).
#include "config/sections.h"

namespace tailor::config {
namespace {

void Parse(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
           ErrorList* errors) {
  std::vector<segments::SegmentSpec> specs;
  std::map<std::string, const Value*> where;
  for (const auto& [name, value] : section.Entries("")) {
    std::string path = JoinPath("segments", name);
    if (!IsIdentifier(name)) {
      errors->Add(*value, path, "segment names must match ^[a-z][a-z0-9_]{0,63}$");
      continue;
    }
    auto spec = segments::ParseSegmentSpec(name, ToJson(*value));
    if (!spec.ok()) {
      errors->Add(*value, spec.status().path().empty() ? path : spec.status().path(),
                  spec.status().message());
      continue;
    }
    for (const auto& group : spec->condition->SavedGroupIds()) {
      if (snapshot->saved_groups && snapshot->saved_groups->Find(group) == nullptr) {
        errors->Add(*value, path + ".condition",
                    "saved group '" + group + "' is not defined under saved_groups");
      }
    }
    where[name] = value;
    specs.push_back(std::move(spec).value());
  }
  auto set = segments::SegmentSet::Build(std::move(specs), snapshot->features.get());
  if (!set.ok()) {
    std::string path = set.status().path();
    std::string name = path.size() > 9 ? path.substr(9, path.find('.', 9) - 9) : "";
    if (auto it = where.find(name); it != where.end()) {
      errors->Add(*it->second, path, set.status().message());
    } else {
      errors->Add(ConfigError{"", 0, path, set.status().message()});
    }
    set = segments::SegmentSet::Build({}, nullptr);
  }
  snapshot->segments = *set;
}

Json Canonical(const ConfigSnapshot& snapshot) {
  Json out = Json::object();
  for (const auto& spec : snapshot.segments->specs()) out[spec.name] = spec.Canonical();
  return out;
}

}  // namespace

SectionSpec SegmentsSection() {
  SectionSpec s{"segments", {}, &Parse, &Canonical};
  s.entries_at_top = true;
  return s;
}

}  // namespace tailor::config
