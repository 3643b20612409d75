// ExperimentAction: the `experiment` action (`serve: {experiment: KEY}`) and the
// assignment behind POST /v1/assign.
//
// Resolve assigns the person (sticky), records the first exposure (not for dry runs,
// shadow rules or replays; not for forced QA users), and answers the variation's content
// and/or value with propensity = the variation's weight × coverage (the probability that
// a user of the targeted population lands in it) and version "KEY@SEED". A person who is
// not in the experiment (not running, targeting, holdout, coverage, no id) is an error,
// so the placement falls back to its default and the reason appears in the trace.
//
// Thread safety: safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "decision/action_provider.h"
#include "decision/engine.h"
#include "experiments/experiment_service.h"

namespace tailor::decision {

class ExperimentAction final : public ActionProvider {
 public:
  // `service` must outlive this object.
  explicit ExperimentAction(experiments::ExperimentService& service) : service_(service) {}
  Result<ActionResult> Resolve(const ActionRequest& request) const override;

 private:
  experiments::ExperimentService& service_;
};

// POST /v1/assign: {user_id | anonymous_id, experiments: [KEY...] (absent or "all": every
// running experiment), context, dry_run}.
struct AssignRequest {
  std::string user_id;
  std::string anonymous_id;
  std::vector<std::string> experiments;  // empty: all
  Json context = Json::object();
  bool dry_run = false;
};
Result<AssignRequest> ParseAssignRequest(std::string_view body);

// Assigns the person to each experiment; the answer lists, per experiment, key,
// inExperiment, variationId, variation name, content, value, reason and whether this
// call recorded the first exposure. Unknown keys are kInvalidArgument naming
// "experiments[i]".
Result<Json> AssignExperiments(DecisionEngine& engine, experiments::ExperimentService& service,
                               const AssignRequest& request, const DecisionInputs& inputs);

}  // namespace tailor::decision
