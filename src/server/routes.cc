#include "server/routes.h"

#include "server/handlers/handlers.h"

namespace tailor::server {

std::vector<Route> BuildRoutes(Services& s) {
  namespace h = handlers;
  auto bind = [&s](HttpResponse (*fn)(Services&, const HttpRequest&)) {
    return [&s, fn](const HttpRequest& req) { return fn(s, req); };
  };
  // clang-format off
  return {
    // method         path                           scope                name                 handler
    {Method::kGet,    "/healthz",                    kScopeNone,          "healthz",           bind(h::Healthz)},
    {Method::kGet,    "/readyz",                     kScopeNone,          "readyz",            bind(h::Readyz)},
    {Method::kGet,    "/metrics",                    kScopeNone,          "metrics",           bind(h::MetricsText)},
    {Method::kPost,   "/v1/events",                  kScopeEventsWrite,   "events.post",       bind(h::PostEvents)},
    {Method::kGet,    "/v1/deadletters",             kScopeAdmin,         "deadletters.list",  bind(h::ListDeadLetters)},
    {Method::kPost,   "/v1/deadletters/replay",      kScopeAdmin,         "deadletters.replay",bind(h::ReplayDeadLetters)},
    {Method::kGet,    "/v1/profiles/{id}",           kScopeProfilesRead,  "profiles.get",      bind(h::GetProfile)},
    {Method::kGet,    "/v1/profiles/{id}/events",    kScopeProfilesRead,  "profiles.events",   bind(h::GetProfileEvents)},
    {Method::kGet,    "/v1/segments",                kScopeProfilesRead,  "segments.list",     bind(h::ListSegments)},
    {Method::kPost,   "/v1/segments/preview",        kScopeProfilesRead,  "segments.preview",  bind(h::PreviewSegment)},
    {Method::kPost,   "/v1/segments/cluster",        kScopeAdmin,         "segments.cluster",  bind(h::Cluster)},
    {Method::kGet,    "/v1/segments/{name}",         kScopeProfilesRead,  "segments.get",      bind(h::GetSegment)},
    {Method::kGet,    "/v1/segments/{name}/members", kScopeProfilesRead,  "segments.members",  bind(h::SegmentMembers)},
    {Method::kPost,   "/v1/decide",                  kScopeDecide,        "decide",            bind(h::Decide)},
    {Method::kPost,   "/v1/assign",                  kScopeDecide,        "assign",            bind(h::Assign)},
    {Method::kGet,    "/v1/experiments",             kScopeProfilesRead,  "experiments.list",  bind(h::ListExperiments)},
    {Method::kGet,    "/v1/experiments/{key}",       kScopeProfilesRead,  "experiments.get",   bind(h::GetExperiment)},
    {Method::kGet,    "/v1/experiments/{key}/results", kScopeProfilesRead, "experiments.results", bind(h::ExperimentResults)},
    {Method::kGet,    "/v1/experiments/{key}/history", kScopeProfilesRead, "experiments.history", bind(h::ExperimentHistory)},
    {Method::kGet,    "/v1/decisions/{id}",          kScopeProfilesRead,  "decisions.get",     bind(h::GetDecision)},
    {Method::kGet,    "/v1/decisions/{id}/explain",  kScopeProfilesRead,  "decisions.explain", bind(h::ExplainDecision)},
    {Method::kPost,   "/v1/decisions/replay",        kScopeAdmin,         "decisions.replay",  bind(h::ReplayDecisions)},
    {Method::kGet,    "/v1/placements/{id}/shadow-report", kScopeProfilesRead, "placements.shadow", bind(h::ShadowReport)},
    {Method::kPost,   "/v1/items",                   kScopeAdmin,         "items.upsert",      bind(h::PostItems)},
    {Method::kGet,    "/v1/items/{id}/similar",      kScopeDecide,        "items.similar",     bind(h::SimilarItems)},
    {Method::kGet,    "/v1/recommendations",         kScopeDecide,        "recommendations",   bind(h::GetRecommendations)},
    {Method::kGet,    "/v1/models",                  kScopeAdmin,         "models.list",       bind(h::ListModels)},
    {Method::kGet,    "/v1/models/{name}",           kScopeAdmin,         "models.get",        bind(h::GetModel)},
    {Method::kPost,   "/v1/models/{name}/train",     kScopeAdmin,         "models.train",      bind(h::TrainModel)},
    {Method::kPost,   "/v1/models/{name}/promote",   kScopeAdmin,         "models.promote",    bind(h::PromoteModel)},
    {Method::kPut,    "/v1/models/{name}/shadow",    kScopeAdmin,         "models.shadow.set", bind(h::SetShadowModel)},
    {Method::kDelete, "/v1/models/{name}/shadow",    kScopeAdmin,         "models.shadow.off", bind(h::ClearShadowModel)},
    {Method::kGet,    "/v1/models/{name}/shadow",    kScopeAdmin,         "models.shadow.get", bind(h::ShadowModelReport)},
    {Method::kPost,   "/v1/models/{name}/rollback",  kScopeAdmin,         "models.rollback",   bind(h::RollbackModel)},
    {Method::kPost,   "/v1/keys",                    kScopeAdmin,         "keys.create",       bind(h::CreateKey)},
    {Method::kGet,    "/v1/keys",                    kScopeAdmin,         "keys.list",         bind(h::ListKeys)},
    {Method::kDelete, "/v1/keys/{id}",               kScopeAdmin,         "keys.delete",       bind(h::DeleteKey)},
    {Method::kPost,   "/v1/config",                  kScopeAdmin,         "config.apply",      bind(h::ApplyConfig)},
    {Method::kGet,    "/v1/config",                  kScopeAdmin,         "config.get",        bind(h::GetConfig)},
    {Method::kGet,    "/v1/config/versions",         kScopeAdmin,         "config.versions",   bind(h::ConfigVersions)},
    {Method::kGet,    "/v1/config/diff",             kScopeAdmin,         "config.diff",       bind(h::ConfigDiff)},
    {Method::kPost,   "/v1/config/rollback",         kScopeAdmin,         "config.rollback",   bind(h::RollbackConfig)},
    {Method::kPost,   "/v1/jobs",                    kScopeAdmin,         "jobs.start",        bind(h::StartJob)},
    {Method::kGet,    "/v1/jobs",                    kScopeAdmin,         "jobs.list",         bind(h::ListJobs)},
    {Method::kGet,    "/v1/jobs/{id}",               kScopeAdmin,         "jobs.get",          bind(h::GetJob)},
    {Method::kPost,   "/v1/admin/backup",            kScopeAdmin,         "admin.backup",      bind(h::Backup)},
  };
  // clang-format on
}

}  // namespace tailor::server
