// RecommendAction: the `recommend` action (`serve: {recommend: NAME, k: 5, filter: {...}}`).
//
// Resolve asks the RecService for the person's list (their newest events count, seen
// items are excluded, the rule's filter applies) and answers value = [{id, score}, ...]
// with version "NAME@VERSION". A model without a live version, an unknown person with no
// popularity fallback, or an empty list is an error, so the placement falls back to its
// default with the reason in the trace.
//
// Thread safety: safe for concurrent use.
#pragma once

#include "decision/action_provider.h"
#include "recommenders/serving/rec_service.h"

namespace tailor::decision {

class RecommendAction final : public ActionProvider {
 public:
  // `service` must outlive this object.
  explicit RecommendAction(const recommenders::RecService& service) : service_(service) {}
  Result<ActionResult> Resolve(const ActionRequest& request) const override;

 private:
  const recommenders::RecService& service_;
};

}  // namespace tailor::decision
