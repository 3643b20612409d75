// In-process dispatch of a request through the route table, without a socket: what the
// CLI uses when it works directly on a data directory (no --url), so offline commands
// and the HTTP API share one code path.
#pragma once

#include "server/http_types.h"
#include "server/router.h"

namespace tailor::server {

// Routes `req` (method + target; body; principal already set) like the HTTP server
// would: 404/405 errors, scope check against req.principal, query parsing, handler.
HttpResponse DispatchLocal(const Router& router, HttpRequest req);

}  // namespace tailor::server
