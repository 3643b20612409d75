#include "condition/regex_matcher.h"

#include <string>

namespace tailor::condition {

namespace {

// Rejects {n}, {n,} and {n,m} with a count above the cap before std::regex expands them:
// libstdc++ copies the sub-automaton once per repetition, so "a{100000}" would take
// seconds and megabytes to compile.
bool RepetitionTooLarge(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
      continue;
    }
    if (p[i] != '{') continue;
    long count = 0;
    for (size_t j = i + 1; j < p.size() && ((p[j] >= '0' && p[j] <= '9') || p[j] == ','); ++j) {
      if (p[j] == ',') {
        count = 0;
        continue;
      }
      count = count * 10 + (p[j] - '0');
      if (count > Regex::kMaxRepetitionCount) return true;
    }
  }
  return false;
}

// True when a quantifier directly follows another ("a**", "a+*", "a{2}+"), except the lazy
// forms ("*?", "+?", "??", "}?"). JavaScript rejects these ("nothing to repeat") but
// libstdc++ accepts them and then backtracks exponentially (found by fuzz_condition:
// "ip****...*ad" ran for seconds on a 60-byte subject).
bool StackedQuantifier(std::string_view p) {
  bool in_class = false;
  bool after_quantifier = false;  // the previous token was a (non-lazy-marked) quantifier
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      ++i;
      after_quantifier = false;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      after_quantifier = false;
      continue;
    }
    bool quantifier = c == '*' || c == '+' || c == '?' || c == '{';
    if (quantifier && after_quantifier) {
      if (c == '?') {  // lazy marker: allowed once
        after_quantifier = false;
        continue;
      }
      return true;
    }
    if (c == '{') {
      size_t close = p.find('}', i);
      if (close == std::string_view::npos) return false;  // let std::regex judge it
      i = close;
    }
    after_quantifier = quantifier;
  }
  return false;
}

}  // namespace

Status Regex::CheckLimits(std::string_view pattern) {
  if (pattern.size() > kMaxPatternBytes) {
    return InvalidArgument("regex longer than " + std::to_string(kMaxPatternBytes) + " bytes");
  }
  if (RepetitionTooLarge(pattern)) {
    return InvalidArgument("regex repetition count above " + std::to_string(kMaxRepetitionCount));
  }
  return Status::OK();
}

Result<Regex> Regex::Compile(std::string_view pattern, bool case_insensitive) {
  TAILOR_RETURN_IF_ERROR(CheckLimits(pattern));
  if (StackedQuantifier(pattern)) {
    return InvalidArgument("invalid regex '" + std::string(pattern) +
                           "': a quantifier follows another quantifier (nothing to repeat)");
  }
  auto flags = std::regex::ECMAScript | std::regex::optimize;
  if (case_insensitive) flags |= std::regex::icase;
  try {
    return Regex(std::regex(pattern.begin(), pattern.end(), flags));
  } catch (const std::regex_error& e) {
    return InvalidArgument("invalid regex '" + std::string(pattern) + "': " + e.what());
  }
}

bool Regex::Search(std::string_view subject) const {
  if (subject.size() > kMaxSubjectBytes) return false;
  try {
    return std::regex_search(subject.begin(), subject.end(), re_);
  } catch (const std::regex_error&) {
    // error_complexity / error_stack from the matcher: treat as no match.
    return false;
  }
}

}  // namespace tailor::condition
