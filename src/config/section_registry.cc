#include "config/sections.h"

#include <algorithm>

namespace tailor::config {

const std::vector<SectionSpec>& Sections() {
  // An immutable table, not mutable global state: built once, never changed.
  static const std::vector<SectionSpec> kSections = {
      EventsSection(),
      SessionsSection(),
      ConsentSection(),
      RateLimitsSection(),
      SavedGroupsSection(),  // before segments, which may name saved groups
      FeaturesSection(),     // before segments, which read features
      SegmentsSection(),
      ContentSection(),
      CampaignsSection(),    // before placements, whose rules name campaigns
      DecisionsSection(),    // after content (global_default names content)
      MetricsSection(),      // before experiments, which name metrics
      ExperimentsSection(),  // after content, before placements ({experiment: KEY})
      ItemsSection(),
      RecommendersSection(),  // before placements ({recommend: NAME})
      PlacementsSection(),
  };
  return kSections;
}

const Value* MergedSection::Get(std::string_view field) const {
  auto it = values.find(field);
  return it == values.end() ? nullptr : it->second;
}

std::vector<std::pair<std::string, const Value*>> MergedSection::Entries(
    std::string_view field) const {
  auto it = collections.find(field);
  if (it == collections.end()) return {};
  auto entries = it->second;
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return entries;
}

}  // namespace tailor::config
