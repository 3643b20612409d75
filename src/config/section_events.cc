// The `events` section: validation windows, event schemas and sampling, filling
// ingest::IngestConfig.
#include <string>

#include "config/sections.h"

namespace tailor::config {
namespace {

constexpr std::string_view kSection = "events";

void ParseSchema(const std::string& type, const Value& value, const std::string& path,
                 const LoadOptions& options, ingest::IngestConfig* out, ErrorList* errors) {
  if (!value.is_map()) {
    errors->Add(value, path, "must be a JSON Schema object, got " + std::string(value.TypeName()));
    return;
  }
  // Compact JSON text is what ingest compiles; invalid UTF-8 cannot reach here
  // (ParseYaml rejects it), but `replace` keeps dump() from ever throwing.
  std::string schema_json =
      ToJson(value).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (options.validate_schema) {
    Status st = options.validate_schema(type, schema_json);
    if (!st.ok()) {
      std::string message = "invalid JSON Schema: " + st.message();
      if (!st.path().empty()) message += " (at " + st.path() + ")";
      errors->Add(value, path, std::move(message));
      return;
    }
  }
  out->schemas[type] = std::move(schema_json);
}

void Parse(const MergedSection& section, const LoadOptions& options, ConfigSnapshot* snapshot,
           ErrorList* errors) {
  ingest::IngestConfig& out = snapshot->ingest;
  auto path = [](std::string_view field) { return JoinPath(kSection, field); };
  if (const Value* v = section.Get("strict")) ReadBool(*v, path("strict"), errors, &out.strict);
  if (const Value* v = section.Get("max_age")) {
    ReadDuration(*v, path("max_age"), 1, errors, &out.max_age_ms);
  }
  if (const Value* v = section.Get("max_future_skew")) {
    ReadDuration(*v, path("max_future_skew"), 0, errors, &out.max_future_skew_ms);
  }
  if (const Value* v = section.Get("dedup_window")) {
    ReadDuration(*v, path("dedup_window"), 0, errors, &out.dedup_window_ms);
  }
  for (const auto& [type, value] : section.Entries("schemas")) {
    std::string entry_path = JoinPath(path("schemas"), type);
    if (!IsIdentifier(type)) {
      errors->Add(*value, entry_path, "event type must match ^[a-z][a-z0-9_]{0,63}$");
      continue;
    }
    ParseSchema(type, *value, entry_path, options, &out, errors);
  }
  for (const auto& [type, value] : section.Entries("sampling")) {
    std::string entry_path = JoinPath(path("sampling"), type);
    if (!IsIdentifier(type)) {
      errors->Add(*value, entry_path, "event type must match ^[a-z][a-z0-9_]{0,63}$");
      continue;
    }
    double fraction = 1;
    if (ReadNumber(*value, entry_path, 0, 1, errors, &fraction)) out.sampling[type] = fraction;
  }
}

Json Canonical(const ConfigSnapshot& snapshot) {
  const ingest::IngestConfig& in = snapshot.ingest;
  Json schemas = Json::object();
  for (const auto& [type, text] : in.schemas) {
    // The text was produced by ToJson().dump(), so it parses; fall back to the text
    // itself rather than throwing if a caller built a snapshot by hand.
    Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    schemas[type] = parsed.is_discarded() ? Json(text) : std::move(parsed);
  }
  Json sampling = Json::object();
  for (const auto& [type, fraction] : in.sampling) sampling[type] = fraction;
  return Json{{"strict", in.strict},
              {"max_age_ms", in.max_age_ms},
              {"max_future_skew_ms", in.max_future_skew_ms},
              {"dedup_window_ms", in.dedup_window_ms},
              {"schemas", std::move(schemas)},
              {"sampling", std::move(sampling)}};
}

}  // namespace

SectionSpec EventsSection() {
  return SectionSpec{kSection,
                     {{"strict"},
                      {"max_age"},
                      {"max_future_skew"},
                      {"dedup_window"},
                      {"schemas", FieldKind::kCollection},
                      {"sampling", FieldKind::kCollection}},
                     &Parse,
                     &Canonical};
}

}  // namespace tailor::config
