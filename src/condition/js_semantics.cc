#include "condition/js_semantics.h"

#include <charconv>
#include <cstring>
#include <limits>

namespace tailor::condition::internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxStringDepth = 64;

// Length of the JavaScript whitespace / line terminator at s[i], 0 if none. Covers the
// ASCII set plus the UTF-8 encodings of U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
// U+202F, U+205F, U+3000 and U+FEFF (String.prototype.trim's set).
size_t WhitespaceAt(std::string_view s, size_t i) {
  auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = u(i);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c == 0xC2 && i + 1 < s.size() && u(i + 1) == 0xA0) return 2;
  if (i + 2 >= s.size()) return 0;
  if (c == 0xE1 && u(i + 1) == 0x9A && u(i + 2) == 0x80) return 3;
  if (c == 0xE2 && u(i + 1) == 0x80 &&
      (u(i + 2) <= 0x8A || u(i + 2) == 0xA8 || u(i + 2) == 0xA9 || u(i + 2) == 0xAF)) {
    return 3;
  }
  if (c == 0xE2 && u(i + 1) == 0x81 && u(i + 2) == 0x9F) return 3;
  if (c == 0xE3 && u(i + 1) == 0x80 && u(i + 2) == 0x80) return 3;
  if (c == 0xEF && u(i + 1) == 0xBB && u(i + 2) == 0xBF) return 3;
  return 0;
}

std::string_view TrimJs(std::string_view s) {
  size_t n;
  while (!s.empty() && (n = WhitespaceAt(s, 0)) > 0) s.remove_prefix(n);
  // Trailing: scan backwards for the start of a whitespace sequence.
  for (;;) {
    bool trimmed = false;
    for (size_t len = 1; len <= 3 && len <= s.size(); ++len) {
      size_t at = s.size() - len;
      if (WhitespaceAt(s, at) == len) {
        s.remove_suffix(len);
        trimmed = true;
        break;
      }
    }
    if (!trimmed) return s;
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

double ParseRadix(std::string_view digits, int radix) {
  if (digits.empty()) return kNaN;
  double v = 0;
  for (char c : digits) {
    int d;
    if (IsDigit(c)) {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    } else {
      return kNaN;
    }
    if (d >= radix) return kNaN;
    v = v * radix + d;
  }
  return v;
}

// Number of the string form of one element inside an array being converted to a number.
double ElementToNumber(Value e, int depth) {
  switch (e.kind()) {
    case ValueKind::kNull:
      return 0;  // joined as ""
    case ValueKind::kBool:
      return kNaN;  // "true" / "false"
    case ValueKind::kNumber:
      return e.GetNumber();
    case ValueKind::kString:
      return JsStringToNumber(e.GetString());
    case ValueKind::kObject:
      return kNaN;  // "[object Object]"
    case ValueKind::kArray: {
      // [] -> "" -> 0; [x] -> String(x); two or more elements contain "," -> NaN.
      size_t n = e.size();
      if (n == 0) return 0;
      if (n > 1 || depth >= kMaxStringDepth) return kNaN;
      return ElementToNumber(e.At(0), depth + 1);
    }
  }
  return kNaN;
}

void StreamElement(Value v, StringSink& sink, bool top, int depth, bool* stop) {
  if (*stop) return;
  auto put = [&](std::string_view s) {
    if (!sink.Append(s)) *stop = true;
  };
  switch (v.kind()) {
    case ValueKind::kNull:
      if (top) put("null");  // Array#join writes null as ""
      return;
    case ValueKind::kBool:
      put(v.GetBool() ? "true" : "false");
      return;
    case ValueKind::kNumber: {
      char buf[kNumberBufferSize];
      put(FormatJsNumber(v.GetNumber(), buf));
      return;
    }
    case ValueKind::kString:
      put(v.GetString());
      return;
    case ValueKind::kObject:
      put("[object Object]");
      return;
    case ValueKind::kArray: {
      if (depth >= kMaxStringDepth) return;
      size_t n = v.size();
      for (size_t i = 0; i < n && !*stop; ++i) {
        if (i > 0) put(",");
        StreamElement(v.At(i), sink, false, depth + 1, stop);
      }
      return;
    }
  }
}

class EqualSink final : public StringSink {
 public:
  EqualSink(std::string_view target, bool lower) : target_(target), lower_(lower) {}
  bool Append(std::string_view chunk) override {
    if (chunk.size() > target_.size() - pos_) return ok_ = false;
    for (char c : chunk) {
      if ((lower_ ? AsciiLower(c) : c) != target_[pos_++]) return ok_ = false;
    }
    return true;
  }
  bool Equal() const { return ok_ && pos_ == target_.size(); }

 private:
  std::string_view target_;
  bool lower_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string_view FormatJsNumber(double d, char (&buf)[kNumberBufferSize]) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";  // also -0
  char* out = buf;
  if (d < 0) {
    *out++ = '-';
    d = -d;
  }
  // Shortest round-trip digits, as ECMAScript's Number::toString requires.
  char sci[32];
  auto res = std::to_chars(sci, sci + sizeof(sci), d, std::chars_format::scientific);
  std::string_view s(sci, static_cast<size_t>(res.ptr - sci));
  size_t e_pos = s.find('e');
  char digits[24];
  int k = 0;
  for (size_t i = 0; i < e_pos; ++i) {
    if (s[i] != '.') digits[k++] = s[i];
  }
  int exp10 = 0;  // sci is not NUL-terminated: parse the exponent by hand
  {
    size_t i = e_pos + 1;
    bool neg = false;
    if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
    for (; i < s.size(); ++i) exp10 = exp10 * 10 + (s[i] - '0');
    if (neg) exp10 = -exp10;
  }
  int n = exp10 + 1;  // value = 0.digits * 10^n
  if (k <= n && n <= 21) {
    std::memcpy(out, digits, k);
    out += k;
    for (int i = 0; i < n - k; ++i) *out++ = '0';
  } else if (0 < n && n <= 21) {
    std::memcpy(out, digits, n);
    out += n;
    *out++ = '.';
    std::memcpy(out, digits + n, k - n);
    out += k - n;
  } else if (-6 < n && n <= 0) {
    *out++ = '0';
    *out++ = '.';
    for (int i = 0; i < -n; ++i) *out++ = '0';
    std::memcpy(out, digits, k);
    out += k;
  } else {
    *out++ = digits[0];
    if (k > 1) {
      *out++ = '.';
      std::memcpy(out, digits + 1, k - 1);
      out += k - 1;
    }
    *out++ = 'e';
    int e = n - 1;
    *out++ = e < 0 ? '-' : '+';
    auto r = std::to_chars(out, buf + kNumberBufferSize, e < 0 ? -e : e);
    out = r.ptr;
  }
  return std::string_view(buf, static_cast<size_t>(out - buf));
}

double JsStringToNumber(std::string_view s) {
  s = TrimJs(s);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0') {
    char p = AsciiLower(s[1]);
    if (p == 'x') return ParseRadix(s.substr(2), 16);
    if (p == 'o') return ParseRadix(s.substr(2), 8);
    if (p == 'b') return ParseRadix(s.substr(2), 2);
  }
  bool neg = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "Infinity") {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  // StrUnsignedDecimalLiteral: digits [. digits] | . digits, then an optional exponent.
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < body.size() && IsDigit(body[i])) ++i, ++int_digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && IsDigit(body[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return kNaN;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < body.size() && IsDigit(body[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return kNaN;
  }
  if (i != body.size()) return kNaN;
  double v = 0;
  auto res = std::from_chars(body.data(), body.data() + body.size(), v);
  if (res.ec == std::errc::result_out_of_range) {
    // from_chars leaves v unchanged on overflow/underflow; JavaScript rounds to Infinity
    // or 0. Tell which by the exponent sign.
    size_t e = body.find_first_of("eE");
    bool tiny = e != std::string_view::npos && e + 1 < body.size() && body[e + 1] == '-';
    v = tiny ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (res.ec != std::errc()) {
    return kNaN;
  }
  return neg ? -v : v;
}

double JsToNumber(Value v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return 0;
    case ValueKind::kBool:
      return v.GetBool() ? 1 : 0;
    case ValueKind::kNumber:
      return v.GetNumber();
    case ValueKind::kString:
      return JsStringToNumber(v.GetString());
    case ValueKind::kObject:
      return kNaN;
    case ValueKind::kArray:
      return ElementToNumber(v, 0);
  }
  return kNaN;
}

bool JsTruthy(Value v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return false;
    case ValueKind::kBool:
      return v.GetBool();
    case ValueKind::kNumber: {
      double d = v.GetNumber();
      return d != 0 && !std::isnan(d);
    }
    case ValueKind::kString:
      return !v.GetString().empty();
    case ValueKind::kArray:
    case ValueKind::kObject:
      return true;
  }
  return false;
}

std::string AsciiLowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

void StreamJsString(Value v, StringSink& sink) {
  bool stop = false;
  StreamElement(v, sink, true, 0, &stop);
}

bool JsStringEquals(Value v, std::string_view target, bool lower) {
  if (!lower && v.kind() == ValueKind::kString) return v.GetString() == target;
  EqualSink sink(target, lower);
  StreamJsString(v, sink);
  return sink.Equal();
}

int CompareJsString(Value v, std::string_view target) {
  if (v.kind() == ValueKind::kString) {
    int c = v.GetString().compare(target);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  CompareSink sink(target);
  StreamJsString(v, sink);
  return sink.Result();
}

bool CompareSink::Append(std::string_view chunk) {
  for (char c : chunk) {
    if (pos_ >= target_.size()) {
      result_ = 1;  // the streamed string is longer
      return false;
    }
    auto a = static_cast<unsigned char>(c), b = static_cast<unsigned char>(target_[pos_++]);
    if (a != b) {
      result_ = a < b ? -1 : 1;
      return false;
    }
  }
  return true;
}

int CompareSink::Result() const {
  if (result_ != 0) return result_;
  return pos_ < target_.size() ? -1 : 0;
}

}  // namespace tailor::condition::internal
