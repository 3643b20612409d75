#include "decision/experiment_action.h"

#include "core/json_util.h"
#include "decision/request.h"

namespace tailor::decision {

namespace {

experiments::Subject SubjectOf(const ProfileView& view, const std::string& user_id,
                               const std::string& anonymous_id, const condition::Document& doc,
                               const condition::SavedGroups* groups, int64_t now_ms, bool record) {
  experiments::Subject s;
  s.user_id = user_id;
  s.anonymous_id = anonymous_id;
  s.pid = view.pid;
  auto t = view.doc.find("traits");
  if (t != view.doc.end()) s.traits = &*t;
  auto f = view.doc.find("features");
  if (f != view.doc.end()) s.features = &*f;
  s.document = &doc;
  s.saved_groups = groups;
  s.now_ms = now_ms;
  s.record = record;
  return s;
}

// The probability of the variation within the targeted population.
double Propensity(const experiments::ConfiguredExperiment& e, int variation) {
  return e.experiment.weights[variation] * e.experiment.coverage;
}

}  // namespace

Result<ActionResult> ExperimentAction::Resolve(const ActionRequest& r) const {
  auto set = service_.set();
  const experiments::ConfiguredExperiment* e = set->Find(r.action.ref);
  if (e == nullptr) return NotFound("experiment '" + r.action.ref + "' is not defined");
  DecisionDocument doc(r.view.flat, r.context, &r.view.segments);
  experiments::Served served = service_.AssignAndExpose(
      *e, SubjectOf(r.view, r.user_id, r.anonymous_id, doc, r.saved_groups, r.now_ms, !r.dry_run));
  const experiments::Assignment& a = served.assignment;
  if (!a.in_experiment) {
    return FailedPrecondition("not in experiment '" + e->key() +
                              "': " + std::string(experiments::AssignReasonName(a.reason)));
  }
  const experiments::VariationDef& v = e->variations[a.variation_id];
  ActionResult out;
  out.content = v.content;
  out.value = v.value;
  out.propensity =
      a.reason == experiments::AssignReason::kForced ? 1.0 : Propensity(*e, a.variation_id);
  out.version = e->key() + "@" + e->experiment.seed;
  return out;
}

Result<AssignRequest> ParseAssignRequest(std::string_view body) {
  auto j = ParseJsonObject(body);
  if (!j.ok()) return j.status();
  AssignRequest r;
  for (const auto& [key, v] : j->items()) {
    if (key == "user_id" || key == "anonymous_id") {
      if (!v.is_string() || v.get<std::string>().size() > 256) {
        return InvalidArgument("must be a string of at most 256 bytes", key);
      }
      (key == "user_id" ? r.user_id : r.anonymous_id) = v.get<std::string>();
    } else if (key == "experiments") {
      if (v.is_string() && v.get<std::string>() == "all") continue;
      if (!v.is_array())
        return InvalidArgument("must be a list of experiment keys or \"all\"", key);
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
          return InvalidArgument("must be a string", "experiments[" + std::to_string(i) + "]");
        }
        r.experiments.push_back(v[i].get<std::string>());
      }
    } else if (key == "context") {
      if (!v.is_object()) return InvalidArgument("must be an object", key);
      if (v.dump().size() > kMaxContextBytes) return InvalidArgument("is too large", key);
      r.context = v;
    } else if (key == "dry_run") {
      if (!v.is_boolean()) return InvalidArgument("must be true or false", key);
      r.dry_run = v.get<bool>();
    } else {
      return InvalidArgument(
          "unknown field; use user_id, anonymous_id, experiments, context, dry_run", key);
    }
  }
  if (r.user_id.empty() && r.anonymous_id.empty()) {
    return InvalidArgument("required: user_id or anonymous_id", "user_id");
  }
  return r;
}

Result<Json> AssignExperiments(DecisionEngine& engine, experiments::ExperimentService& service,
                               const AssignRequest& request, const DecisionInputs& inputs) {
  auto set = service.set();
  std::vector<const experiments::ConfiguredExperiment*> list;
  for (size_t i = 0; i < request.experiments.size(); ++i) {
    const auto* e = set->Find(request.experiments[i]);
    if (e == nullptr) {
      return InvalidArgument("unknown experiment '" + request.experiments[i] + "'",
                             "experiments[" + std::to_string(i) + "]");
    }
    list.push_back(e);
  }
  if (request.experiments.empty()) {
    for (const auto& [key, e] : set->experiments) {
      if (e->running()) list.push_back(e.get());
    }
  }
  const int64_t now_ms = engine.Now();
  TAILOR_ASSIGN_OR_RETURN(auto view,
                          engine.ViewFor(request.user_id, request.anonymous_id, inputs, now_ms));
  Json context = request.context;
  CompleteContext(&context, now_ms);
  const FlatJson flat_context(context);
  DecisionDocument doc(view->flat, flat_context, &view->segments);
  Json out = Json::array();
  for (const auto* e : list) {
    experiments::Served s =
        service.AssignAndExpose(*e, SubjectOf(*view, request.user_id, request.anonymous_id, doc,
                                              inputs.saved_groups, now_ms, !request.dry_run));
    const experiments::Assignment& a = s.assignment;
    const auto& v = e->variations[a.variation_id];
    Json item = {{"key", e->key()},
                 {"inExperiment", a.in_experiment},
                 {"variationId", a.variation_id},
                 {"variation", v.name},
                 {"reason", std::string(experiments::AssignReasonName(a.reason))},
                 {"hashAttribute", s.attribute},
                 {"exposed", s.exposed_now}};
    item["content"] = v.content.empty() ? Json(nullptr) : Json(v.content);
    item["value"] = v.value;
    out.push_back(std::move(item));
  }
  return Json{{"assignments", std::move(out)}};
}

}  // namespace tailor::decision
