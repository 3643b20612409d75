// The table of configuration sections. Each section lives in its own file
// (section_<name>.cc) and registers itself by one line in section_registry.cc:
// its name, its fields, a parser and a canonical-form writer. Adding a section is a
// new file plus that line; the loader's merging, unknown-field checks and error
// collection are shared.
//
// Internal to config/. Thread safety: the table is immutable after first use.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_loader.h"
#include "config/section_util.h"
#include "config/yaml_util.h"
#include "core/json_doc.h"

namespace tailor::config {

enum class FieldKind : uint8_t {
  // One value (scalar, list or object), defined in exactly one place.
  kValue,
  // A mapping of named entries; entries from several files merge, each entry is
  // defined in exactly one place (events.schemas.purchase).
  kCollection,
};

struct FieldSpec {
  std::string_view name;
  FieldKind kind = FieldKind::kValue;
};

// A section's fields after merging all files. Values point into the parsed documents,
// which outlive the parse call.
struct MergedSection {
  std::string_view name;
  std::map<std::string, const Value*, std::less<>> values;
  std::map<std::string, std::vector<std::pair<std::string, const Value*>>, std::less<>>
      collections;

  // The field's value, or nullptr when no file sets it.
  const Value* Get(std::string_view field) const;
  // The entries of a collection field in name order (empty when absent).
  std::vector<std::pair<std::string, const Value*>> Entries(std::string_view field) const;
};

struct SectionSpec {
  std::string_view name;
  std::vector<FieldSpec> fields;
  // Reads `section` into `out`, which holds defaults; reports problems to `errors`.
  void (*parse)(const MergedSection& section, const LoadOptions& options, ConfigSnapshot* out,
                ErrorList* errors);
  // Writes the section's canonical JSON object (sorted keys, durations in ms).
  Json (*canonical)(const ConfigSnapshot& snapshot);
  // True when the section itself is a collection of named entries (features,
  // segments): MergedSection::Entries("") lists them and `fields` is empty.
  bool entries_at_top = false;
};

// Every section, in documentation order.
const std::vector<SectionSpec>& Sections();

// One factory per section file.
SectionSpec EventsSection();
SectionSpec SessionsSection();
SectionSpec ConsentSection();
SectionSpec RateLimitsSection();
SectionSpec SavedGroupsSection();
SectionSpec FeaturesSection();
SectionSpec SegmentsSection();
SectionSpec ContentSection();
SectionSpec CampaignsSection();
SectionSpec DecisionsSection();
SectionSpec MetricsSection();
SectionSpec ExperimentsSection();
SectionSpec ItemsSection();
SectionSpec RecommendersSection();
SectionSpec PlacementsSection();

}  // namespace tailor::config
