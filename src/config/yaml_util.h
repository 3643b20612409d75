// The configuration's own document tree (config::Value) and the one place yaml-cpp is
// called. YAML and JSON files are both parsed by yaml-cpp (JSON is YAML 1.2 flow style),
// so every node of either format carries its file and line for error messages.
//
// Scalars are typed with the YAML 1.2 core schema: plain `true`/`false` are booleans,
// plain `~`/`null`/empty are null, plain integers and floats are numbers, everything
// else, and every quoted or block scalar, is a string. An explicit `!!str` tag forces a
// string.
//
// Internal to config/. Thread safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_error.h"
#include "core/json_doc.h"

namespace tailor::config {

struct Value {
  enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kList, kMap };

  Type type = Type::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string string_value;
  struct Member;                 // {key, value}; defined below (Value is incomplete here)
  std::vector<Value> items;      // kList
  std::vector<Member> members;   // kMap, in document order, unique keys
  // Where the node is. A map member's value is located at its key's line, which is
  // where a reader looks for "field:". `file` views the name passed to ParseYaml.
  std::string_view file;
  int line = 0;  // 1-based; 0 = unknown

  bool is_null() const { return type == Type::kNull; }
  bool is_map() const { return type == Type::kMap; }
  bool is_number() const { return type == Type::kInt || type == Type::kDouble; }
  double AsDouble() const { return type == Type::kInt ? static_cast<double>(int_value) : double_value; }
  // "a string", "a mapping", ... for messages.
  std::string_view TypeName() const;
};

struct Value::Member {
  std::string key;
  Value value;
};

// Limits that keep hostile input (alias bombs, deep nesting) from exhausting memory
// or stack. Real configurations are far below both.
inline constexpr size_t kMaxYamlNodes = 200'000;
inline constexpr int kMaxYamlDepth = 128;

struct YamlParse {
  std::vector<Value> documents;      // one per YAML document ("---"); empty file -> none
  std::optional<ConfigError> error;  // set on a syntax error or a limit; documents empty
};

// Parses `text` (all documents). `file` must outlive the returned Values. Never throws.
// Duplicate keys within one mapping are an error (YAML forbids them; yaml-cpp would
// silently keep both).
YamlParse ParseYaml(std::string_view file, std::string_view text);

// Converts to JSON, keeping scalar types. Map keys become JSON object keys.
Json ToJson(const Value& value);

}  // namespace tailor::config
