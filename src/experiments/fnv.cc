#include "experiments/fnv.h"

namespace tailor::experiments {

namespace {

inline uint32_t Step(uint32_t h, uint32_t unit) { return (h ^ unit) * kFnvPrime; }

// Decodes one UTF-8 sequence at s[*i]; returns the code point, or U+FFFD for a
// malformed or truncated sequence (consuming one byte, as the WHATWG decoder does for the
// lead byte).
uint32_t DecodeOne(std::string_view s, size_t* i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  const unsigned char c = p[*i];
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int len = 0;
  uint32_t cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    ++*i;
    return 0xFFFD;
  }
  if (*i + len > n) {
    ++*i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    const unsigned char cc = p[*i + k];
    if ((cc & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return 0xFFFD;
  }
  *i += len;
  return cp;
}

}  // namespace

uint32_t Fnv1aUtf16(std::string_view s, uint32_t h) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {  // ASCII fast path: one byte, one code unit
      h = Step(h, c);
      ++i;
      continue;
    }
    uint32_t cp = DecodeOne(s, &i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      h = Step(h, 0xD800 + (cp >> 10));
      h = Step(h, 0xDC00 + (cp & 0x3FF));
    } else {
      h = Step(h, cp);
    }
  }
  return h;
}

}  // namespace tailor::experiments
