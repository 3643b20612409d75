// Recommendations: the catalog (POST /v1/items), lists and similar items, and the model
// registry (list, info, train as a job, promote, rollback, shadow). Decoding and encoding only; the
// work is in recommenders::RecService and CatalogStore.
#include "recommenders/serving/train_job.h"
#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"

namespace tailor::server::handlers {

namespace {

Result<bool> QueryBool(const HttpRequest& req, std::string_view name, bool fallback) {
  auto v = req.Query(name);
  if (!v) return fallback;
  if (*v == "true") return true;
  if (*v == "false") return false;
  return InvalidArgument("must be true or false", std::string(name));
}

Result<std::string> QueryModel(const HttpRequest& req) {
  auto m = req.Query("model");
  if (!m || m->empty()) return InvalidArgument("required: the recommender's name", "model");
  return std::string(*m);
}

Result<recommenders::RecRequest> DecodeRecRequest(const HttpRequest& req) {
  recommenders::RecRequest r;
  TAILOR_ASSIGN_OR_RETURN(r.model, QueryModel(req));
  if (auto u = req.Query("user_id")) r.user_id = std::string(*u);
  if (auto a = req.Query("anonymous_id")) r.anonymous_id = std::string(*a);
  if (r.user_id.empty() && r.anonymous_id.empty()) {
    return InvalidArgument("required: user_id or anonymous_id", "user_id");
  }
  if (r.user_id.size() > 256 || r.anonymous_id.size() > 256) {
    return InvalidArgument("ids are at most 256 bytes",
                           r.user_id.size() > 256 ? "user_id" : "anonymous_id");
  }
  TAILOR_ASSIGN_OR_RETURN(int64_t k, QueryInt(req, "k", 10, 1, 100));
  r.k = static_cast<size_t>(k);
  if (auto f = req.Query("filter")) r.filter = std::string(*f);
  TAILOR_ASSIGN_OR_RETURN(r.exclude_seen, QueryBool(req, "exclude_seen", true));
  return r;
}

Json Encode(const recommenders::RecList& list) {
  Json items = Json::array();
  for (const auto& i : list.items) items.push_back(Json{{"id", i.id}, {"score", i.score}});
  return Json{{"model", list.model},
              {"version", list.version},
              {"source", list.source},
              {"items", std::move(items)}};
}

Result<uint64_t> BodyVersion(const HttpRequest& req) {
  TAILOR_ASSIGN_OR_RETURN(Json body, BodyObject(req));
  TAILOR_RETURN_IF_ERROR(OnlyMembers(body, {"version"}));
  if (!body.contains("version") || !body["version"].is_number_unsigned() || body["version"] == 0) {
    return InvalidArgument("required: a positive integer", "version");
  }
  return body["version"].get<uint64_t>();
}

}  // namespace

HttpResponse PostItems(Services& s, const HttpRequest& req) {
  auto body = BodyObject(req);
  if (!body.ok()) return Error(body.status());
  if (Status st = OnlyMembers(*body, {"items"}); !st.ok()) return Error(st);
  if (!body->contains("items") || !(*body)["items"].is_array() || (*body)["items"].empty()) {
    return Error(InvalidArgument("required: a non-empty list of items", "items"));
  }
  const auto& list = (*body)["items"].get_ref<const Json::array_t&>();
  auto n = s.catalog->Upsert(list);
  if (!n.ok()) return Error(n.status());
  return JsonOk(Json{{"upserted", *n}});
}

HttpResponse GetRecommendations(Services& s, const HttpRequest& req) {
  auto r = DecodeRecRequest(req);
  if (!r.ok()) return Error(r.status());
  auto list = s.recs->Recommend(*r);
  if (!list.ok()) return Error(list.status());
  return JsonOk(Encode(*list));
}

HttpResponse SimilarItems(Services& s, const HttpRequest& req) {
  auto model = QueryModel(req);
  if (!model.ok()) return Error(model.status());
  auto k = QueryInt(req, "k", 10, 1, 100);
  if (!k.ok()) return Error(k.status());
  std::string filter(req.Query("filter").value_or(""));
  auto list = s.recs->Similar(*model, req.PathParam("id"), static_cast<size_t>(*k), filter);
  if (!list.ok()) return Error(list.status());
  return JsonOk(Encode(*list));
}

HttpResponse ListModels(Services& s, const HttpRequest&) {
  return JsonOrError(s.recs->List());
}

HttpResponse GetModel(Services& s, const HttpRequest& req) {
  return JsonOrError(s.recs->Info(req.PathParam("name")));
}

// Training runs as a background job (GET /v1/jobs/{id} follows it; its result is the
// version record). A training of the same model already queued or running is returned
// instead of a second one.
HttpResponse TrainModel(Services& s, const HttpRequest& req) {
  auto promote = QueryBool(req, "promote", false);
  if (!promote.ok()) return Error(promote.status());
  auto id = recommenders::StartTrainJob(*s.jobs, *s.recs, req.PathParam("name"), *promote,
                                        "requested by " + req.principal.key_id);
  if (!id.ok()) return Error(id.status());
  auto job = s.jobs->Get(*id);
  if (!job.ok() || !*job) return Error(job.ok() ? Internal("job vanished") : job.status());
  return HttpResponse::Json(202, (*job)->ToJson());
}

HttpResponse PromoteModel(Services& s, const HttpRequest& req) {
  auto version = BodyVersion(req);
  if (!version.ok()) return Error(version.status());
  return JsonOrError(s.recs->Promote(req.PathParam("name"), *version));
}

HttpResponse SetShadowModel(Services& s, const HttpRequest& req) {
  auto version = BodyVersion(req);
  if (!version.ok()) return Error(version.status());
  return JsonOrError(s.recs->SetShadow(req.PathParam("name"), *version));
}

HttpResponse ClearShadowModel(Services& s, const HttpRequest& req) {
  return JsonOrError(s.recs->SetShadow(req.PathParam("name"), 0));
}

HttpResponse ShadowModelReport(Services& s, const HttpRequest& req) {
  return JsonOrError(s.recs->ShadowReport(req.PathParam("name")));
}

HttpResponse RollbackModel(Services& s, const HttpRequest& req) {
  return JsonOrError(s.recs->Rollback(req.PathParam("name")));
}

}  // namespace tailor::server::handlers
