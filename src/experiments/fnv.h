// FNV-1a 32 over UTF-16 code units: the hash the GrowthBook SDKs bucket with.
//
// The JavaScript SDK hashes `charCodeAt` units, so a byte-wise port would disagree with
// it on every non-ASCII id. Fnv1aUtf16 decodes UTF-8 and feeds each UTF-16 code unit
// (a surrogate pair for characters above U+FFFF) into FNV-1a. Invalid UTF-8 bytes are
// fed as U+FFFD, which is what a JavaScript string decoded from the same bytes holds.
//
// Written by hand (a dozen lines) because no Debian package offers FNV-1a over UTF-16.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace tailor::experiments {

inline constexpr uint32_t kFnvOffsetBasis = 0x811C9DC5u;
inline constexpr uint32_t kFnvPrime = 0x01000193u;

// Continues an FNV-1a 32 state over the UTF-16 code units of the UTF-8 text `s`, so a
// concatenation can be hashed piecewise without building it: Fnv1aUtf16(b, Fnv1aUtf16(a))
// equals Fnv1aUtf16(a + b). Never allocates.
uint32_t Fnv1aUtf16(std::string_view s, uint32_t state = kFnvOffsetBasis);

}  // namespace tailor::experiments
