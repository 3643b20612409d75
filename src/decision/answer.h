// What a placement served and how it got there: the answer a decision returns, the
// trace of rules tried (for explain), and what the answer cache keeps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_doc.h"
#include "decision/decision_config.h"

namespace tailor::decision {

enum class RuleOutcome : uint8_t {
  kMatched,        // condition true, action served
  kNoMatch,        // condition false
  kDisabled,       // kill switch
  kNotInRollout,   // user outside the rule's staged rollout
  kCapped,         // a frequency cap or campaign budget is used up
  kFailed,         // the action could not produce an answer (fell back)
};
std::string_view RuleOutcomeName(RuleOutcome outcome);

struct TraceEntry {
  std::string rule;
  RuleOutcome outcome = RuleOutcome::kNoMatch;
  std::string detail;  // e.g. "cap content:vip_hero 3/3 per 1d", "no variant for channel 'sms'"
};

struct Answer {
  std::string rule;  // the rule that served; "" for a default
  std::string campaign;  // the serving rule's campaign ("" when none)
  ActionKind action = ActionKind::kContent;
  std::string content;  // content name ("" for a flag)
  std::string variant;  // channel key of the variant served
  std::string body;     // rendered template ("" when the variant has none)
  Json value;           // variant payload or flag value (null when none)
  bool served = true;          // false when not even a global default could answer
  bool fallback = false;       // a default served because an action could not answer
  bool personalized = true;    // false when consent (or a kill switch) forced the default
  std::string reason;          // why a default served; "" otherwise
  double propensity = 1.0;     // probability of this answer (1 unless randomized)
  // Version of the model / experiment that answered ("for_you@3", "hero@seed"); "" for
  // content and flags. Logged with the decision record as "action_version".
  std::string version;
  std::vector<TraceEntry> trace;
};

}  // namespace tailor::decision
