// SchemaRegistry: the compiled JSON Schemas (draft 7) of event `properties`, one per event
// type, built from IngestConfig::schemas.
//
// A registry is an immutable snapshot: build a new one with Compile() when the config
// changes and swap the shared_ptr. Validation never allocates shared state.
//
// Schemas that use only the keywords SchemaProgram supports also get a compiled program
// (schema_program.h) that accepts valid events without valijson; verdicts, messages and
// paths are the same with or without it.
//
// Thread safety: Validate() and the accessors are const and safe to call concurrently
// from any number of threads on one registry.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ingest/event.h"
#include "ingest/ingest_config.h"

namespace tailor::ingest {

struct SchemaRegistryOptions {
  // Compile supported schemas into SchemaPrograms tried before valijson. Off: valijson
  // alone, as before they existed (benchmarks and differential tests compare the two).
  bool compiled_programs = true;
};

class SchemaRegistry {
 public:
  // Compiles every entry of config.schemas and records config.strict.
  // Returns kInvalidArgument with path "events.schemas.<type>" and the reason when a
  // type name is invalid, a schema is not a JSON object, or valijson rejects it
  // (unknown keyword shapes, remote $ref, bad regex, ...). A schema outside the
  // program subset is not an error: it is validated by valijson alone.
  static Result<std::shared_ptr<const SchemaRegistry>> Compile(
      const IngestConfig& config, const SchemaRegistryOptions& options = {});

  ~SchemaRegistry();
  SchemaRegistry(const SchemaRegistry&) = delete;
  SchemaRegistry& operator=(const SchemaRegistry&) = delete;

  // Checks `event.properties_json` (empty means {}) against the schema of event.type.
  // Returns OK when the type has a schema and the properties conform, or when it has no
  // schema and the registry is not strict (the built-in types identify, consent and alias
  // never need one). Otherwise kInvalidArgument: path "properties.<dot path>" (e.g.
  // "properties.items[0].price") with valijson's description, or path "type" for an
  // unknown type in strict mode.
  // REQUIRES: properties_json is empty or valid JSON (as produced by DecodeBatch).
  Status Validate(const Event& event) const;

  // True when `type` has a schema.
  bool HasSchema(std::string_view type) const;
  // True when `type` has a schema compiled into a SchemaProgram.
  bool HasProgram(std::string_view type) const;
  bool strict() const { return strict_; }
  size_t size() const { return schemas_.size(); }

 private:
  struct Compiled;  // a valijson::Schema and a program; both stay out of this header

  SchemaRegistry() = default;

  std::map<std::string, std::unique_ptr<const Compiled>, std::less<>> schemas_;
  bool strict_ = false;
};

// Checks that `schema_json` is a valid draft-7 JSON Schema for event type `type` (and that
// `type` is a valid event type name), without keeping the result. The config loader calls
// this when a config is applied. Returns kInvalidArgument naming the type and the reason.
Status ValidateSchemaText(std::string_view type, std::string_view schema_json);

// True for the types Tailor interprets itself (identify, consent, alias); they are
// accepted without a schema even in strict mode.
bool IsBuiltinEventType(std::string_view type);

}  // namespace tailor::ingest
