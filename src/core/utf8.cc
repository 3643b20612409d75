#include "core/utf8.h"

#include <simdjson.h>

namespace tailor {

// simdjson ships a fast, well-tested UTF-8 validator; reuse it rather than hand-roll one.
bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

}  // namespace tailor
