// POST /v1/decide and the decision log: records, explanations, shadow reports, replay.
#include "core/json_util.h"
#include "core/time_util.h"
#include "decision/explain.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"

namespace tailor::server::handlers {

namespace {

decision::DecisionInputs Inputs(const config::Runtime& rt) {
  const auto& c = *rt.config;
  return decision::DecisionInputs{c.decision,           c.features.get(), c.segments.get(),
                                  c.saved_groups.get(), c.version,        rt.config};
}

// Encodes one decision without building a DOM (the decide path stays allocation-light).
void AppendDecision(std::string* out, const decision::Decision& d) {
  const decision::Answer& a = *d.answer;
  *out += "{\"placement\":";
  AppendJsonString(out, d.placement);
  *out += ",\"decision_id\":";
  AppendJsonString(out, d.decision_id);
  *out += ",\"rule\":";
  if (a.rule.empty()) {
    *out += "null";
  } else {
    AppendJsonString(out, a.rule);
  }
  *out += ",\"action\":";
  AppendJsonString(out, decision::ActionKindName(a.action));
  *out += ",\"content\":";
  if (a.content.empty()) {
    *out += "null";
  } else {
    *out += "{\"id\":";
    AppendJsonString(out, a.content);
    *out += ",\"variant\":";
    AppendJsonString(out, a.variant);
    *out += ",\"body\":";
    AppendJsonString(out, a.body);
    *out += '}';
  }
  if (!a.value.is_null()) {
    *out += ",\"value\":";
    AppendJsonValue(out, a.value);
  }
  *out += a.fallback ? ",\"fallback\":true" : ",\"fallback\":false";
  *out += a.personalized ? ",\"personalized\":true" : ",\"personalized\":false";
  if (!a.served) *out += ",\"served\":false";
  if (!a.reason.empty()) {
    *out += ",\"reason\":";
    AppendJsonString(out, a.reason);
  }
  if (d.cached) *out += ",\"cached\":true";
  *out += '}';
}

// The decision config of `version`: the active one, else the stored version.
std::shared_ptr<const decision::DecisionConfig> ConfigAt(Services& s, uint64_t version) {
  auto rt = s.runtime();
  if (rt->config->version == version) return rt->config->decision;
  auto snapshot = s.configs->Get(version);
  if (!snapshot.ok()) return nullptr;
  return (*snapshot)->decision;
}

Result<std::pair<int64_t, int64_t>> Window(Services& s, const HttpRequest& req,
                                           int64_t default_span_ms) {
  TAILOR_ASSIGN_OR_RETURN(auto since, QueryTime(req, "since"));
  TAILOR_ASSIGN_OR_RETURN(auto until, QueryTime(req, "until"));
  int64_t now = s.clock->NowMs();
  int64_t u = until.value_or(now + 1);
  int64_t from = since.value_or(u - default_span_ms);
  if (from >= u) return InvalidArgument("since must be before until", "since");
  return std::make_pair(from, u);
}

}  // namespace

HttpResponse Decide(Services& s, const HttpRequest& req) {
  auto request = decision::ParseDecideRequest(req.body);
  if (!request.ok()) return Error(request.status());
  auto rt = s.runtime();
  auto decisions = s.decisions->Decide(*request, Inputs(*rt));
  if (!decisions.ok()) return Error(decisions.status());
  std::string out;
  out.reserve(64 + 320 * decisions->size());  // one allocation for the usual answer
  out += "{\"decisions\":[";
  for (size_t i = 0; i < decisions->size(); ++i) {
    if (i) out += ',';
    AppendDecision(&out, (*decisions)[i]);
  }
  out += "],\"config_version\":";
  AppendJsonInt(&out, rt->config->version);
  out += '}';
  return HttpResponse::Json(200, std::move(out));
}

// The record with its inputs (the values its rules read) resolved against the config
// version it ran under.
Result<std::pair<Json, std::shared_ptr<const decision::DecisionConfig>>> Record(
    Services& s, const HttpRequest& req) {
  TAILOR_ASSIGN_OR_RETURN(Json record, s.decisions->log().Get(req.PathParam("id")));
  auto config = ConfigAt(s, record.value("config_version", uint64_t{0}));
  decision::AddInputs(&record, config.get());
  return std::make_pair(std::move(record), std::move(config));
}

HttpResponse GetDecision(Services& s, const HttpRequest& req) {
  auto r = Record(s, req);
  if (!r.ok()) return Error(r.status());
  // The whole profile snapshot only on request: it can be large.
  if (req.Query("snapshot").value_or("") != "true") r->first.erase("snapshot");
  return JsonOk(r->first);
}

HttpResponse ExplainDecision(Services& s, const HttpRequest& req) {
  auto r = Record(s, req);
  if (!r.ok()) return Error(r.status());
  return JsonOk(decision::Explain(r->first, r->second.get()));
}

HttpResponse ShadowReport(Services& s, const HttpRequest& req) {
  const std::string& placement = req.PathParam("id");
  auto rt = s.runtime();
  if (rt->config->decision->FindPlacement(placement) == nullptr) {
    return Error(NotFound("no placement '" + placement + "' in the active config", "id"));
  }
  auto window = Window(s, req, 86'400'000);
  if (!window.ok()) return Error(window.status());
  auto limit = QueryInt(req, "limit", 1'000'000, 1, 10'000'000);
  if (!limit.ok()) return Error(limit.status());
  auto report = s.decisions->ShadowReport(placement, window->first, window->second,
                                          static_cast<size_t>(*limit));
  if (!report.ok()) return Error(report.status());
  return JsonOk(*report);
}

HttpResponse ReplayDecisions(Services& s, const HttpRequest& req) {
  auto body = BodyObject(req);
  if (!body.ok()) return Error(body.status());
  Status only = OnlyMembers(*body, {"config_version", "since", "until", "limit"});
  if (!only.ok()) return Error(only);
  auto v = body->find("config_version");
  if (v == body->end() || !v->is_number_unsigned() || v->get<uint64_t>() == 0) {
    return Error(InvalidArgument(
        "required: the config version to replay under (tailor config history lists them)",
        "config_version"));
  }
  auto time_of = [&](const char* name, int64_t fallback) -> Result<int64_t> {
    auto it = body->find(name);
    if (it == body->end()) return fallback;
    if (it->is_number_integer()) return it->get<int64_t>();
    if (it->is_string()) {
      auto t = ParseIso8601(it->get<std::string>());
      if (t.ok()) return *t;
    }
    return InvalidArgument("must be ISO 8601 or epoch ms", name);
  };
  int64_t now = s.clock->NowMs();
  auto since = time_of("since", now - 86'400'000);
  if (!since.ok()) return Error(since.status());
  auto until = time_of("until", now + 1);
  if (!until.ok()) return Error(until.status());
  auto limit_it = body->find("limit");
  size_t limit = 1'000'000;
  if (limit_it != body->end()) {
    if (!limit_it->is_number_unsigned() || limit_it->get<uint64_t>() == 0) {
      return Error(InvalidArgument("must be a positive integer", "limit"));
    }
    limit = limit_it->get<size_t>();
  }
  uint64_t version = v->get<uint64_t>();
  auto snapshot = s.configs->Get(version);
  if (!snapshot.ok()) return Error(snapshot.status());
  auto report = s.decisions->Replay((*snapshot)->decision, version, *since, *until, limit);
  if (!report.ok()) return Error(report.status());
  return JsonOk(*report);
}

}  // namespace tailor::server::handlers
