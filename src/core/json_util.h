// Small JSON helpers shared by every module. Heavy JSON libraries stay out of this
// header: writers here append to std::string, parsing for admin documents lives in
// json_doc.h (nlohmann), hot-path parsing in the modules that need it (simdjson).
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace tailor {

// Appends `s` as a quoted JSON string literal (escaping quotes, backslash and control
// characters; valid UTF-8 passes through unchanged).
void AppendJsonString(std::string* out, std::string_view s);

// Appends an integer exactly (std::to_chars).
template <typename Int>
  requires std::is_integral_v<Int>
void AppendJsonInt(std::string* out, Int v) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, result.ptr);
}

// Appends the shortest text that reads back as exactly `v`, with ".0" on integral values
// so readers keep it a double (2^64 must not look like an overflowing integer). JSON has
// no NaN or infinity: those are written as 0.
void AppendJsonDouble(std::string* out, double v);

// Returns `s` as a quoted JSON string literal.
std::string JsonQuote(std::string_view s);

// Appends the JSON path step for an object member: ".name", or ["na.me"] when the name
// is not a plain identifier.
void AppendPathMember(std::string* path, std::string_view member);

// Appends "[index]".
void AppendPathIndex(std::string* path, size_t index);

}  // namespace tailor
