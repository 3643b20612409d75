// The `consent` section: declared purposes and the purpose required before events of
// a profile are stored.
#include <algorithm>

#include "config/sections.h"

namespace tailor::config {
namespace {

void Parse(const MergedSection& section, const LoadOptions&, ConfigSnapshot* snapshot,
           ErrorList* errors) {
  ingest::IngestConfig& out = snapshot->ingest;
  bool purposes_ok = true;
  if (const Value* v = section.Get("purposes")) {
    purposes_ok = ReadIdentifierList(*v, "consent.purposes", errors, &out.consent_purposes);
  }
  if (const Value* v = section.Get("required_for_storage")) {
    if (v->is_null()) return;  // `required_for_storage:` with no value: none required
    std::string purpose;
    if (!ReadString(*v, "consent.required_for_storage", errors, &purpose)) return;
    // A broken purposes list already produced an error; don't pile a second one on.
    if (!purposes_ok) return;
    const auto& purposes = out.consent_purposes;
    if (std::find(purposes.begin(), purposes.end(), purpose) == purposes.end()) {
      std::string list;
      for (const std::string& p : purposes) list += (list.empty() ? "" : ", ") + p;
      errors->Add(*v, "consent.required_for_storage",
                  "'" + purpose + "' is not one of consent.purposes (" +
                      (list.empty() ? std::string("none declared") : list) + ")");
      return;
    }
    out.storage_purpose = std::move(purpose);
  }
}

Json Canonical(const ConfigSnapshot& snapshot) {
  return Json{{"purposes", snapshot.ingest.consent_purposes},
              {"required_for_storage", snapshot.ingest.storage_purpose}};
}

}  // namespace

SectionSpec ConsentSection() {
  return SectionSpec{"consent", {{"purposes"}, {"required_for_storage"}}, &Parse, &Canonical};
}

}  // namespace tailor::config
