// JavaScript value semantics the GrowthBook SDKs rely on (String(x), Number(x), truthiness,
// loose relational comparison), implemented over Document values without allocating.
// Internal to the condition module.
//
// Known, documented deviations (docs/conditions.md): strings compare by UTF-8 byte order
// (JavaScript compares UTF-16 code units; they differ only between astral characters and
// U+E000..U+FFFF) and case folding ($ini, $alli, $regexi aside) is ASCII-only.
//
// Thread safety: pure functions.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "condition/document.h"

namespace tailor::condition::internal {

// Large enough for any double in JavaScript's Number#toString form.
inline constexpr size_t kNumberBufferSize = 40;

// Writes `d` as JavaScript's String(d) does ("1", "0.5", "1e+21", "NaN") into `buf` and
// returns the view of it.
std::string_view FormatJsNumber(double d, char (&buf)[kNumberBufferSize]);

// Number(s) for a string: trims whitespace, "" -> 0, hex/octal/binary prefixes,
// [+-]Infinity, decimal literals; anything else -> NaN.
double JsStringToNumber(std::string_view s);

// Number(v) for a document value (null/missing -> 0, arrays through their string form).
double JsToNumber(Value v);

// Boolean(v).
bool JsTruthy(Value v);

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
std::string AsciiLowerCopy(std::string_view s);

// Receives String(v) in pieces; returns false to stop early.
class StringSink {
 public:
  virtual bool Append(std::string_view chunk) = 0;

 protected:
  ~StringSink() = default;
};

// Streams String(v) (`v + ""` in JavaScript: null -> "null", arrays joined with ",",
// objects -> "[object Object]") into `sink`. Arrays nested deeper than 64 levels are cut
// off (their inner elements contribute nothing), which keeps recursion bounded.
void StreamJsString(Value v, StringSink& sink);

// String(v) == target; with `lower`, String(v) is ASCII-lowercased first (target must
// already be lowercase).
bool JsStringEquals(Value v, std::string_view target, bool lower = false);

// Three-way comparison of String(v) with target: <0, 0, >0.
int CompareJsString(Value v, std::string_view target);

// A sink comparing the streamed characters with `target` (byte order, like strcmp).
class CompareSink final : public StringSink {
 public:
  explicit CompareSink(std::string_view target) : target_(target) {}
  bool Append(std::string_view chunk) override;
  // <0, 0, >0 once everything has been appended.
  int Result() const;

 private:
  std::string_view target_;
  size_t pos_ = 0;
  int result_ = 0;
};

// Result of JavaScript's abstract relational comparison.
enum class Order { kLess, kEqual, kGreater, kUnordered };

}  // namespace tailor::condition::internal
