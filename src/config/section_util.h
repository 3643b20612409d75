// Helpers shared by the section parsers: an error collector and typed readers that
// report "file:line: path: must be ..." instead of stopping at the first problem.
//
// Every Read* returns true and sets *out when `value` is acceptable; otherwise it
// records one error located at `value` and leaves *out unchanged (so the default
// stays and parsing continues).
//
// Internal to config/. Thread safety: an ErrorList is a value; not shared.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.h"
#include "config/yaml_util.h"

namespace tailor::config {

class ErrorList {
 public:
  void Add(const Value& at, std::string path, std::string message);
  void Add(ConfigError error) { errors_.push_back(std::move(error)); }
  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  std::vector<ConfigError>& errors() { return errors_; }

 private:
  std::vector<ConfigError> errors_;
};

// `parent` + "." + `member` (or `parent["odd.name"]`); see core/json_util.h.
std::string JoinPath(std::string_view parent, std::string_view member);

// Shortest decimal form of `d` ("0", "0.5", "1000").
std::string FormatNumber(double d);

// True when `name` matches ^[a-z][a-z0-9_]{0,63}$ (event types, consent purposes).
bool IsIdentifier(std::string_view name);

// Records an error for every member of the mapping `value` whose name is not in
// `known`, with a suggestion when one is close. REQUIRES: value.is_map().
void CheckKnownFields(const Value& value, std::string_view path,
                      std::span<const std::string_view> known, ErrorList* errors);

// "unknown field; did you mean 'strict'?" or "unknown field (expected one of: a, b)".
std::string UnknownNameMessage(std::string_view what, std::string_view name,
                               std::span<const std::string_view> known);

bool ReadBool(const Value& value, std::string_view path, ErrorList* errors, bool* out);
bool ReadString(const Value& value, std::string_view path, ErrorList* errors, std::string* out);
// A duration string ("30m", "7d"; core/time_util.h) of at least `min_ms`.
bool ReadDuration(const Value& value, std::string_view path, int64_t min_ms, ErrorList* errors,
                  int64_t* out);
// A number (integer or float) in [min, max]; NaN is rejected.
bool ReadNumber(const Value& value, std::string_view path, double min, double max,
                ErrorList* errors, double* out);
// A list of identifiers (IsIdentifier) without duplicates.
bool ReadIdentifierList(const Value& value, std::string_view path, ErrorList* errors,
                        std::vector<std::string>* out);
// Records "must be a mapping" unless value is a map; null (an empty `field:`) counts
// as an empty mapping when `allow_null`.
bool ExpectMap(const Value& value, std::string_view path, ErrorList* errors,
               bool allow_null = true);

}  // namespace tailor::config
