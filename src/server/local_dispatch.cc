#include "server/local_dispatch.h"

#include "server/status_mapping.h"

namespace tailor::server {

HttpResponse DispatchLocal(const Router& router, HttpRequest req) {
  auto [path, query] = SplitTarget(req.target);
  auto decoded = PercentDecode(path, false);
  if (!decoded.ok()) return ErrorResponse(decoded.status());
  req.path = *decoded;
  auto q = ParseQueryString(query);
  if (!q.ok()) return ErrorResponse(q.status());
  req.query = std::move(q).value();
  Router::Match m = router.Find(req.method, path);
  if (m.kind == Router::Match::Kind::kNotFound) {
    return ErrorResponse(NotFound("no route for " + std::string(path)));
  }
  if (m.kind == Router::Match::Kind::kMethodNotAllowed) {
    return MethodNotAllowedResponse(MethodName(req.method), path, m.allow);
  }
  if (m.route->scope != kScopeNone && !req.principal.Has(static_cast<Scope>(m.route->scope))) {
    return ErrorResponse(PermissionDenied("this call needs the " +
                                          std::string(ScopeName(static_cast<Scope>(m.route->scope))) +
                                          " scope"));
  }
  req.path_params = std::move(m.path_params);
  return m.route->handler(req);
}

}  // namespace tailor::server
