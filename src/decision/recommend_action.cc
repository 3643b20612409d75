#include "decision/recommend_action.h"

namespace tailor::decision {

Result<ActionResult> RecommendAction::Resolve(const ActionRequest& r) const {
  recommenders::RecRequest req;
  req.model = r.action.ref;
  req.user_id = r.user_id;
  req.anonymous_id = r.anonymous_id;
  req.k = 10;
  if (r.action.value.is_object()) {
    if (auto k = r.action.value.find("k"); k != r.action.value.end()) req.k = k->get<size_t>();
    if (auto f = r.action.value.find("filter"); f != r.action.value.end()) req.filter = f->dump();
  }
  TAILOR_ASSIGN_OR_RETURN(recommenders::RecList list, service_.Recommend(req));
  if (list.items.empty()) {
    return FailedPrecondition("recommender '" + req.model + "' found no candidates");
  }
  ActionResult out;
  out.value = Json::array();
  for (const auto& item : list.items)
    out.value.push_back(Json{{"id", item.id}, {"score", item.score}});
  out.version = req.model + "@" + std::to_string(list.version);
  return out;
}

}  // namespace tailor::decision
