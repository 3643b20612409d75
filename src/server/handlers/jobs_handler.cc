#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"

namespace tailor::server::handlers {

HttpResponse StartJob(Services& s, const HttpRequest& req) {
  auto body = BodyObject(req);
  if (!body.ok()) return Error(body.status());
  if (Status st = OnlyMembers(*body, {"kind"}); !st.ok()) return Error(st);
  auto kind = body->find("kind");
  if (kind == body->end() || !kind->is_string() ||
      (*kind != "feature_backfill" && *kind != "segment_refresh")) {
    return Error(InvalidArgument("required: feature_backfill or segment_refresh", "kind"));
  }
  auto rt = s.runtime();
  bool backfill = *kind == "feature_backfill";
  auto id = s.jobs->Start(rt->ingest, rt->config->version, backfill,
                          "requested by " + req.principal.key_id);
  if (!id.ok()) return Error(id.status());
  auto job = s.jobs->Get(*id);
  if (!job.ok() || !*job) return Error(job.ok() ? Internal("job vanished") : job.status());
  return HttpResponse::Json(202, (*job)->ToJson());
}

HttpResponse GetJob(Services& s, const HttpRequest& req) {
  auto job = s.jobs->Get(req.PathParam("id"));
  if (!job.ok()) return Error(job.status());
  if (!*job) return Error(NotFound("no job '" + req.PathParam("id") + "'", "id"));
  return HttpResponse::Json(200, (*job)->ToJson());
}

HttpResponse ListJobs(Services& s, const HttpRequest& req) {
  auto limit = QueryInt(req, "limit", 20, 1, 1000);
  if (!limit.ok()) return Error(limit.status());
  auto jobs = s.jobs->List(static_cast<size_t>(*limit));
  if (!jobs.ok()) return Error(jobs.status());
  std::string out = "{\"jobs\":[";
  for (size_t i = 0; i < jobs->size(); ++i) out += (i ? "," : "") + (*jobs)[i].ToJson();
  out += "]}";
  return HttpResponse::Json(200, std::move(out));
}

}  // namespace tailor::server::handlers
