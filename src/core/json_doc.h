// nlohmann::json for configuration and admin documents (not the ingest hot path).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/status.h"

namespace tailor {

using Json = nlohmann::json;

// Parses `text`; a syntax error becomes kInvalidArgument naming the byte offset.
Result<Json> ParseJson(std::string_view text);

// Parses `text` and requires a JSON object at the top level.
Result<Json> ParseJsonObject(std::string_view text);

// Appends `value` as compact JSON, like value.dump() but without building a temporary
// string (hot-path records are written into one buffer).
void AppendJsonValue(std::string* out, const Json& value);

}  // namespace tailor
