// Experiments: list, definition, results, lifecycle history, and POST /v1/assign.
#include <cstdlib>

#include "config/experiment_history.h"
#include "decision/experiment_action.h"
#include "experiments/results.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"

namespace tailor::server::handlers {

namespace {

Result<const experiments::ConfiguredExperiment*> Find(const experiments::ExperimentSet& set,
                                                      const std::string& key) {
  const auto* e = set.Find(key);
  if (e == nullptr) return NotFound("no experiment '" + key + "' in the active config", "key");
  return e;
}

Result<experiments::ResultsOptions> ResultsQuery(const HttpRequest& req) {
  experiments::ResultsOptions o;
  if (auto m = req.Query("method")) {
    TAILOR_ASSIGN_OR_RETURN(o.method, experiments::ParseResultsMethod(*m));
  }
  if (auto c = req.Query("cuped")) {
    if (*c != "true" && *c != "false") return InvalidArgument("must be true or false", "cuped");
    o.cuped = *c == "true";
  }
  if (auto a = req.Query("alpha")) {
    const std::string text(*a);
    char* end = nullptr;
    o.alpha = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(o.alpha > 0 && o.alpha < 1)) {
      return InvalidArgument("must be a number in (0, 1)", "alpha");
    }
  }
  return o;
}

}  // namespace

HttpResponse ListExperiments(Services& s, const HttpRequest&) {
  auto set = s.experiments->set();
  Json list = Json::array();
  for (const auto& [key, e] : set->experiments) {
    list.push_back(experiments::ExperimentSummary(*e, s.experiments->tracker().Aggregates(key)));
  }
  return JsonOk(Json{{"experiments", std::move(list)}});
}

HttpResponse GetExperiment(Services& s, const HttpRequest& req) {
  auto set = s.experiments->set();
  auto e = Find(*set, req.PathParam("key"));
  if (!e.ok()) return Error(e.status());
  Json out = experiments::ExperimentSummary(**e, s.experiments->tracker().Aggregates((*e)->key()));
  out["config"] = (*e)->canonical;
  out["hash_attribute"] = experiments::UnitAttributeName((*e)->unit);
  out["seed"] = (*e)->experiment.seed;
  return JsonOk(out);
}

HttpResponse ExperimentResults(Services& s, const HttpRequest& req) {
  auto set = s.experiments->set();
  auto e = Find(*set, req.PathParam("key"));
  if (!e.ok()) return Error(e.status());
  auto options = ResultsQuery(req);
  if (!options.ok()) return Error(options.status());
  return JsonOrError(experiments::ComputeResults(**e, *set, s.experiments->tracker().Aggregates((*e)->key()),
                                         *options));
}

HttpResponse ExperimentHistory(Services& s, const HttpRequest& req) {
  auto changes = config::ExperimentHistory(*s.configs, req.PathParam("key"));
  if (!changes.ok()) return Error(changes.status());
  if (changes->empty()) {
    return Error(NotFound("experiment '" + req.PathParam("key") + "' was never configured", "key"));
  }
  Json list = Json::array();
  for (const auto& c : *changes) {
    list.push_back({{"version", c.version},
                    {"applied_at_ms", c.applied_at_ms},
                    {"applied_by", c.applied_by},
                    {"from", c.from},
                    {"to", c.to},
                    {"comment", c.comment}});
  }
  return JsonOk(Json{{"key", req.PathParam("key")}, {"history", std::move(list)}});
}

HttpResponse Assign(Services& s, const HttpRequest& req) {
  auto request = decision::ParseAssignRequest(req.body);
  if (!request.ok()) return Error(request.status());
  auto rt = s.runtime();
  const auto& c = *rt->config;
  decision::DecisionInputs in{c.decision, c.features.get(), c.segments.get(), c.saved_groups.get(),
                              c.version, rt->config};
  return JsonOrError(decision::AssignExperiments(*s.decisions, *s.experiments, *request, in));
}

}  // namespace tailor::server::handlers
