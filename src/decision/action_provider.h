// ActionProvider: the seam through which experiments, bandits and recommenders answer
// rules (`serve: {experiment: KEY}`, `{bandit: NAME}`, `{recommend: MODEL}`). Each
// module registers one provider for its action kind with DecisionEngine::Register; the
// engine serves content and flag values itself.
//
// Thread safety: Resolve is called concurrently from request threads.
#pragma once

#include <cstdint>
#include <string>

#include "condition/saved_groups.h"

#include "core/json_doc.h"
#include "core/status.h"
#include "decision/decision_config.h"
#include "decision/profile_view.h"

namespace tailor::decision {

struct ActionRequest {
  const Action& action;
  const ProfileView& view;
  const FlatJson& context;  // completed (channel, time)
  // The id the action hashes or keys on: user id, else anonymous id.
  const std::string& unit_id;
  // The request's own ids ("" when absent), its time, and whether it is a dry run
  // (answer without recording anything).
  const std::string& user_id;
  const std::string& anonymous_id;
  int64_t now_ms = 0;
  bool dry_run = false;
  const condition::SavedGroups* saved_groups = nullptr;
};

struct ActionResult {
  std::string content;   // content to render ("" when the action returns a value only)
  Json value;            // e.g. a variation value or a recommendation list
  double propensity = 1.0;
  std::string version;   // model / policy / experiment phase that answered
};

class ActionProvider {
 public:
  virtual ~ActionProvider() = default;
  // An error makes the placement fall back to its default (the reason is logged).
  virtual Result<ActionResult> Resolve(const ActionRequest& request) const = 0;
};

}  // namespace tailor::decision
