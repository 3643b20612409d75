// The decision sections (reference: docs/decisions.md):
//   content:    named content with variants per channel and mustache templates
//   campaigns:  caps shared by rules across placements and channels
//   decisions:  engine settings (global default, consent purpose, cache and budgets)
//   placements: ordered rules (condition -> action), defaults, kill switches, shadows
// Each entry is parsed by decision/decision_config.h; they run in this order because
// later ones refer to earlier ones.
#include "config/sections.h"

namespace tailor::config {
namespace {

// A fresh copy of the decision config built so far, for the next section to extend.
std::shared_ptr<decision::DecisionConfig> Extend(const ConfigSnapshot& snapshot) {
  return std::make_shared<decision::DecisionConfig>(*snapshot.decision);
}

void AddError(const Status& s, const Value& at, const std::string& path, ErrorList* errors) {
  errors->Add(at, s.path().empty() ? path : s.path(), s.message());
}

void ParseContentSection(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
                         ErrorList* errors) {
  auto d = Extend(*snapshot);
  for (const auto& [name, value] : section.Entries("")) {
    auto c = decision::ParseContent(name, ToJson(*value));
    if (!c.ok()) {
      AddError(c.status(), *value, JoinPath("content", name), errors);
      continue;
    }
    d->content.emplace(name, std::move(c).value());
  }
  snapshot->decision = std::move(d);
}

void ParseCampaigns(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
                    ErrorList* errors) {
  auto d = Extend(*snapshot);
  for (const auto& [name, value] : section.Entries("")) {
    auto c = decision::ParseCampaign(name, ToJson(*value));
    if (!c.ok()) {
      AddError(c.status(), *value, JoinPath("campaigns", name), errors);
      continue;
    }
    d->campaigns.emplace(name, std::move(c).value());
  }
  snapshot->decision = std::move(d);
}

constexpr std::string_view kSettingFields[] = {"global_default", "consent_purpose", "consent_by_default",
                                               "view_ttl", "cache_ttl", "time_budget"};

void ParseSettings(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
                   ErrorList* errors) {
  auto d = Extend(*snapshot);
  Json def = Json::object();
  const Value* first = nullptr;
  for (std::string_view field : kSettingFields) {
    if (const Value* v = section.Get(field)) {
      def[std::string(field)] = ToJson(*v);
      if (!first) first = v;
    }
  }
  if (first == nullptr) return;
  auto s = decision::ParseDecisionSettings(def, *d);
  if (!s.ok()) {
    const Value* at = section.Get(s.status().path().substr(std::min<size_t>(10, s.status().path().size())));
    AddError(s.status(), at ? *at : *first, "decisions", errors);
    return;
  }
  d->settings = std::move(s).value();
  snapshot->decision = std::move(d);
}

void ParsePlacements(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
                     ErrorList* errors) {
  auto d = Extend(*snapshot);
  for (const auto& [name, value] : section.Entries("")) {
    std::string path = JoinPath("placements", name);
    if (!IsIdentifier(name)) {
      errors->Add(*value, path, "placement names must match ^[a-z][a-z0-9_]{0,63}$");
      continue;
    }
    auto pl = decision::ParsePlacement(name, ToJson(*value), *d);
    if (!pl.ok()) {
      AddError(pl.status(), *value, path, errors);
      continue;
    }
    for (const auto* set : {&pl->live, pl->shadow ? &*pl->shadow : nullptr}) {
      if (set == nullptr) continue;
      for (const auto& rule : set->rules) {
        for (const auto& group : rule.when->SavedGroupIds()) {
          if (snapshot->saved_groups && snapshot->saved_groups->Find(group) == nullptr) {
            errors->Add(*value, path + ".rules." + rule.name,
                        "saved group '" + group + "' is not defined under saved_groups");
          }
        }
      }
    }
    d->placements.emplace(name, std::move(pl).value());
  }
  d->AssignRuleMemo();
  snapshot->decision = std::move(d);
}

Json CanonicalContent(const ConfigSnapshot& s) {
  Json out = Json::object();
  for (const auto& [name, c] : s.decision->content) out[name] = c.canonical;
  return out;
}
Json CanonicalCampaigns(const ConfigSnapshot& s) {
  Json out = Json::object();
  for (const auto& [name, c] : s.decision->campaigns) out[name] = c.canonical;
  return out;
}
Json CanonicalSettings(const ConfigSnapshot& s) { return s.decision->settings.canonical; }
Json CanonicalPlacements(const ConfigSnapshot& s) {
  Json out = Json::object();
  for (const auto& [name, p] : s.decision->placements) out[name] = p.canonical;
  return out;
}

}  // namespace

SectionSpec ContentSection() {
  SectionSpec s{"content", {}, &ParseContentSection, &CanonicalContent};
  s.entries_at_top = true;
  return s;
}

SectionSpec CampaignsSection() {
  SectionSpec s{"campaigns", {}, &ParseCampaigns, &CanonicalCampaigns};
  s.entries_at_top = true;
  return s;
}

SectionSpec DecisionsSection() {
  std::vector<FieldSpec> fields;
  for (std::string_view f : kSettingFields) fields.push_back({f});
  return SectionSpec{"decisions", std::move(fields), &ParseSettings, &CanonicalSettings};
}

SectionSpec PlacementsSection() {
  SectionSpec s{"placements", {}, &ParsePlacements, &CanonicalPlacements};
  s.entries_at_top = true;
  return s;
}

}  // namespace tailor::config
