#include "server/handlers/handler_util.h"
#include "server/handlers/handlers.h"

namespace tailor::server::handlers {

HttpResponse Healthz(Services&, const HttpRequest&) {
  return HttpResponse::Json(200, R"({"status":"ok"})");
}

HttpResponse Readyz(Services& s, const HttpRequest&) {
  if (s.ready && !s.ready()) {
    return HttpResponse::Json(503, R"({"ready":false,"reason":"starting up or shutting down"})");
  }
  auto rt = s.runtime();
  return JsonOk({{"ready", true}, {"config_version", rt->config->version}});
}

HttpResponse MetricsText(Services& s, const HttpRequest&) {
  return HttpResponse::Text(200, s.metrics->RenderPrometheus(), "text/plain; version=0.0.4");
}

}  // namespace tailor::server::handlers
