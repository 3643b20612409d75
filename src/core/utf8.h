// UTF-8 validation (simdjson validates JSON input already; this covers ids and strings
// that arrive by other routes such as YAML, CLI flags and URL paths).
#pragma once

#include <string_view>

namespace tailor {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace tailor
