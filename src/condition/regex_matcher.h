// Regex: a compiled $regex / $regexi pattern (ECMAScript grammar, as in the GrowthBook SDKs,
// which use JavaScript's RegExp).
//
// Limits, and why: libstdc++'s std::regex matches by recursive backtracking, one stack
// frame per step of a repeated sub-pattern, so a long subject can overflow the thread's
// stack (a crash, not an exception) and nested quantifiers can take exponential time.
// Conditions come from users and subjects from end-user data, so both are capped:
// patterns longer than kMaxPatternBytes or with a repetition count above
// kMaxRepetitionCount are rejected at compile time, and subjects longer than
// kMaxSubjectBytes never match. Matching may allocate (std::regex's matcher state), so
// regex operators are the one exception to the evaluator's no-allocation rule.
//
// Thread safety: immutable after Compile; Search is const and safe to call concurrently.
#pragma once

#include <regex>
#include <string_view>

#include "core/status.h"

namespace tailor::condition {

class Regex {
 public:
  static constexpr size_t kMaxPatternBytes = 512;
  static constexpr size_t kMaxSubjectBytes = 4096;
  static constexpr int kMaxRepetitionCount = 1000;

  // OK when `pattern` is within the limits above (checked by Compile too).
  static Status CheckLimits(std::string_view pattern);

  // Compiles `pattern`; an invalid or over-limit pattern is kInvalidArgument.
  static Result<Regex> Compile(std::string_view pattern, bool case_insensitive);

  // True when the pattern matches somewhere in `subject` (RegExp#test). False when the
  // subject is longer than kMaxSubjectBytes.
  bool Search(std::string_view subject) const;

 private:
  explicit Regex(std::regex re) : re_(std::move(re)) {}
  std::regex re_;
};

}  // namespace tailor::condition
