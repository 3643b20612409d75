// The `saved_groups` section: named id lists for $inGroup / $notInGroup, e.g.
//   saved_groups: {beta_testers: [user-1, user-7], staff: [alice, bob]}
#include "config/sections.h"

namespace tailor::config {
namespace {

void Parse(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
           ErrorList* errors) {
  Json groups = Json::object();
  for (const auto& [name, value] : section.Entries("")) {
    std::string path = JoinPath("saved_groups", name);
    if (value->type != Value::Type::kList) {
      errors->Add(*value, path, "must be a list of ids, got " + std::string(value->TypeName()));
      continue;
    }
    groups[name] = ToJson(*value);
  }
  // Assigning an empty SavedGroups over a failed Result trips GCC 12's
  // -Wfree-nonheap-object (a false positive in std::variant's reset): no reassignment.
  condition::SavedGroups valid;
  if (auto compiled = condition::SavedGroups::FromJson(groups); compiled.ok()) {
    valid = std::move(compiled).value();
  } else {
    errors->Add(ConfigError{"", 0, "saved_groups." + compiled.status().path(), compiled.status().message()});
  }
  snapshot->saved_groups = std::make_shared<const condition::SavedGroups>(std::move(valid));
  snapshot->saved_groups_json = std::move(groups);
}

Json Canonical(const ConfigSnapshot& snapshot) { return snapshot.saved_groups_json; }

}  // namespace

SectionSpec SavedGroupsSection() {
  SectionSpec s{"saved_groups", {}, &Parse, &Canonical};
  s.entries_at_top = true;
  return s;
}

}  // namespace tailor::config
