// The `sessions` section: how sessions are cut (ingest::IngestConfig::session_gap_ms).
#include "config/sections.h"

namespace tailor::config {
namespace {

void Parse(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
           ErrorList* errors) {
  if (const Value* v = section.Get("inactivity_gap")) {
    ReadDuration(*v, "sessions.inactivity_gap", 1000, errors, &snapshot->ingest.session_gap_ms);
  }
}

Json Canonical(const ConfigSnapshot& snapshot) {
  return Json{{"inactivity_gap_ms", snapshot.ingest.session_gap_ms}};
}

}  // namespace

SectionSpec SessionsSection() { return SectionSpec{"sessions", {{"inactivity_gap"}}, &Parse, &Canonical}; }

}  // namespace tailor::config
