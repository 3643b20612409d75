// Loading a configuration: files (name -> text) in, a validated ConfigSnapshot out.
//
// A configuration is any number of YAML (.yaml, .yml) or JSON (.json) files. The
// top-level sections of all files are merged; each field, and each named entry of a
// collection field (events.schemas.<type>, events.sampling.<type>, rate_limits.keys.<id>),
// may be defined in exactly one place — a second definition is an error naming both
// files and lines. Sections and fields not given keep their built-in defaults
// (ConfigSnapshot's in-class initializers). Unknown sections and fields are errors, with
// a "did you mean" suggestion when a known name is within edit distance 2.
//
// The field reference is docs/config.md ("Configuration files").
//
// Thread safety: LoadConfig is a pure function (no I/O, no globals besides the
// immutable section table) and safe to call concurrently.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.h"
#include "config/snapshot.h"
#include "core/status.h"

namespace tailor::config {

// File name (no directory) -> file text.
using ConfigFiles = std::map<std::string, std::string>;

struct LoadOptions {
  // Checks one event schema (compact JSON text of a JSON object) and returns
  // kInvalidArgument with a human message when it is not a valid draft-7 JSON Schema.
  // The composition root wires the ingest module's valijson check in here; when unset
  // the loader only requires the schema to be a mapping.
  std::function<Status(std::string_view event_type, std::string_view schema_json)>
      validate_schema;
};

// Largest accepted file; the loader is also fed from HTTP bodies.
inline constexpr size_t kMaxConfigFileBytes = 4u << 20;

// True for names ending in .yaml, .yml or .json.
bool IsConfigFileName(std::string_view name);

// Parses and validates `files`. On success the snapshot has version 0, empty
// applied_by, `files` copied in and `digest` set (see CanonicalJson); the caller (the
// ConfigStore) stamps version and applied_*. With no files the result is the built-in
// defaults. On failure returns kInvalidArgument (see SummarizeErrors) and, when
// `errors` is not null, stores every error found, sorted by file and line.
// Never throws.
Result<ConfigSnapshot> LoadConfig(const ConfigFiles& files, const LoadOptions& options = {},
                                  std::vector<ConfigError>* errors = nullptr);

// The canonical JSON form of the configuration a snapshot carries: one object per
// section, keys sorted, durations in milliseconds, schemas as JSON objects. Version,
// applied_* and the file texts are not part of it, so reformatting files or editing
// comments does not change it. `digest` is Sha256Hex of this text.
std::string CanonicalJson(const ConfigSnapshot& snapshot);

// Built-in defaults (no configuration applied): version 0, digest set.
ConfigSnapshot DefaultSnapshot();

}  // namespace tailor::config
