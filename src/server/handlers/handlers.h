// The HTTP handlers, one function per route, grouped by resource. Each decodes the
// request into typed values, calls one service method and encodes the result; the
// route table (server/routes.cc) binds them to method, path and scope.
#pragma once

#include "server/http_types.h"
#include "server/services.h"

namespace tailor::server::handlers {

// events_handler.cc
HttpResponse PostEvents(Services& s, const HttpRequest& req);

// experiments_handler.cc
HttpResponse ListExperiments(Services& s, const HttpRequest& req);
HttpResponse GetExperiment(Services& s, const HttpRequest& req);
HttpResponse ExperimentResults(Services& s, const HttpRequest& req);
HttpResponse ExperimentHistory(Services& s, const HttpRequest& req);
HttpResponse Assign(Services& s, const HttpRequest& req);
HttpResponse ListDeadLetters(Services& s, const HttpRequest& req);
HttpResponse ReplayDeadLetters(Services& s, const HttpRequest& req);

// profiles_handler.cc
HttpResponse GetProfile(Services& s, const HttpRequest& req);
HttpResponse GetProfileEvents(Services& s, const HttpRequest& req);

// keys_handler.cc
HttpResponse CreateKey(Services& s, const HttpRequest& req);
HttpResponse ListKeys(Services& s, const HttpRequest& req);
HttpResponse DeleteKey(Services& s, const HttpRequest& req);

// config_handler.cc
HttpResponse ApplyConfig(Services& s, const HttpRequest& req);
HttpResponse GetConfig(Services& s, const HttpRequest& req);
HttpResponse ConfigVersions(Services& s, const HttpRequest& req);
HttpResponse ConfigDiff(Services& s, const HttpRequest& req);
HttpResponse RollbackConfig(Services& s, const HttpRequest& req);

// segments_handler.cc
HttpResponse ListSegments(Services& s, const HttpRequest& req);
HttpResponse GetSegment(Services& s, const HttpRequest& req);
HttpResponse SegmentMembers(Services& s, const HttpRequest& req);
HttpResponse PreviewSegment(Services& s, const HttpRequest& req);

// cluster_handler.cc
HttpResponse Cluster(Services& s, const HttpRequest& req);

// jobs_handler.cc
HttpResponse StartJob(Services& s, const HttpRequest& req);
HttpResponse GetJob(Services& s, const HttpRequest& req);
HttpResponse ListJobs(Services& s, const HttpRequest& req);

// decisions_handler.cc
HttpResponse Decide(Services& s, const HttpRequest& req);
HttpResponse GetDecision(Services& s, const HttpRequest& req);
HttpResponse ExplainDecision(Services& s, const HttpRequest& req);
HttpResponse ShadowReport(Services& s, const HttpRequest& req);
HttpResponse ReplayDecisions(Services& s, const HttpRequest& req);

// recommendations_handler.cc
HttpResponse PostItems(Services& s, const HttpRequest& req);
HttpResponse GetRecommendations(Services& s, const HttpRequest& req);
HttpResponse SimilarItems(Services& s, const HttpRequest& req);
HttpResponse ListModels(Services& s, const HttpRequest& req);
HttpResponse GetModel(Services& s, const HttpRequest& req);
HttpResponse TrainModel(Services& s, const HttpRequest& req);
HttpResponse SetShadowModel(Services& s, const HttpRequest& req);
HttpResponse ClearShadowModel(Services& s, const HttpRequest& req);
HttpResponse ShadowModelReport(Services& s, const HttpRequest& req);
HttpResponse PromoteModel(Services& s, const HttpRequest& req);
HttpResponse RollbackModel(Services& s, const HttpRequest& req);

// admin_handler.cc
HttpResponse Backup(Services& s, const HttpRequest& req);

// health_handler.cc
HttpResponse Healthz(Services& s, const HttpRequest& req);
HttpResponse Readyz(Services& s, const HttpRequest& req);
HttpResponse MetricsText(Services& s, const HttpRequest& req);

}  // namespace tailor::server::handlers
