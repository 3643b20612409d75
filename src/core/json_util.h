// Small JSON helpers shared by every module. Heavy JSON libraries stay out of this
// header: writers here append to std::string, parsing for admin documents lives in
// json_doc.h (nlohmann), hot-path parsing in the modules that need it (simdjson).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tailor {

// Appends `s` as a quoted JSON string literal (escaping quotes, backslash and control
// characters; valid UTF-8 passes through unchanged).
void AppendJsonString(std::string* out, std::string_view s);

// Returns `s` as a quoted JSON string literal.
std::string JsonQuote(std::string_view s);

// Appends the JSON path step for an object member: ".name", or ["na.me"] when the name
// is not a plain identifier.
void AppendPathMember(std::string* path, std::string_view member);

// Appends "[index]".
void AppendPathIndex(std::string* path, size_t index);

}  // namespace tailor
