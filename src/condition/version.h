// Version strings for $veq/$vne/$vgt/$vgte/$vlt/$vlte, compatible with the GrowthBook SDKs.
//
// A version is turned into a "padded version string" and versions compare as plain
// strings (byte order):
//   1. a leading "v" and a "+build" suffix are dropped;
//   2. the rest is split on "." and "-";
//   3. exactly three parts (no pre-release) get a fourth part "~", which sorts after any
//      letter or digit, so "1.0.0" > "1.0.0-beta";
//   4. all-digit parts are left-padded with spaces to width 5 ("9" < "10" as " 9" < "10");
//   5. parts are joined with "-".
// So "1-2-3" == "1.2.3", "1.2.3.4" == "1.2.3-4", and parts of more than five digits
// compare as text. Empty input becomes "0".
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace tailor::condition {

// The padded form of `version` (used at compile time for constant operands).
std::string PaddedVersion(std::string_view version);

// Compares PaddedVersion(version) with an already padded string without allocating:
// <0, 0 or >0.
int ComparePaddedVersion(std::string_view version, std::string_view padded);

// Convenience for tools and tests: compares two raw version strings (<0, 0, >0).
int CompareVersions(std::string_view a, std::string_view b);

}  // namespace tailor::condition
