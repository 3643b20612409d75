#include "condition/version.h"

#include "condition/js_semantics.h"

namespace tailor::condition {

namespace {

// Drops a leading "v" and a "+build" suffix. The SDKs use the regex /(^v|\+.*$)/g, whose
// `.*$` cannot cross a line terminator, so only a "+" after the last newline starts the
// suffix.
std::string_view Strip(std::string_view s) {
  if (s.empty()) return "0";  // falsy input
  if (s.front() == 'v') s.remove_prefix(1);
  size_t last_nl = s.find_last_of("\n\r");
  size_t plus = s.find('+', last_nl == std::string_view::npos ? 0 : last_nl + 1);
  if (plus != std::string_view::npos) s = s.substr(0, plus);
  return s;
}

bool AllDigits(std::string_view p) {
  if (p.empty()) return false;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Emits the padded form of `version` piece by piece; stops when `emit` returns false.
template <typename Emit>
void EmitPadded(std::string_view version, Emit&& emit) {
  std::string_view s = Strip(version);
  size_t parts = 1;
  for (char c : s) parts += (c == '.' || c == '-');
  static constexpr std::string_view kSpaces = "     ";
  size_t start = 0;
  for (size_t i = 0; i < parts; ++i) {
    size_t end = s.find_first_of(".-", start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = s.substr(start, end - start);
    if (i > 0 && !emit(std::string_view("-"))) return;
    if (AllDigits(part) && part.size() < 5 && !emit(kSpaces.substr(0, 5 - part.size()))) return;
    if (!emit(part)) return;
    start = end + 1;
  }
  if (parts == 3) emit(std::string_view("-~"));
}

}  // namespace

std::string PaddedVersion(std::string_view version) {
  std::string out;
  EmitPadded(version, [&](std::string_view piece) {
    out.append(piece);
    return true;
  });
  return out;
}

int ComparePaddedVersion(std::string_view version, std::string_view padded) {
  internal::CompareSink sink(padded);
  EmitPadded(version, [&](std::string_view piece) { return sink.Append(piece); });
  return sink.Result();
}

int CompareVersions(std::string_view a, std::string_view b) {
  return ComparePaddedVersion(a, PaddedVersion(b));
}

}  // namespace tailor::condition
