// Status mapping: THE only place where tailor::StatusCode becomes an HTTP status code,
// and where error responses get their JSON body:
//
//   {"error":{"code":"invalid_argument","message":"...","path":"events[3].timestamp"}}
//
// `code` is StatusCodeName(status.code()); `path` is the Status path, or JSON null when
// the Status has none (the key is always present, so clients can rely on the shape).
//
// Thread safety: stateless free functions, safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "server/http_types.h"

namespace tailor::server {

// HTTP status for a code: invalid_argument 400, unauthenticated 401, permission_denied
// 403, not_found 404, already_exists 409, failed_precondition 409, payload_too_large 413,
// resource_exhausted 429, unavailable 503, deadline_exceeded 504, corruption / io_error /
// internal 500; kOk 200.
int HttpStatusFor(StatusCode code);

// Appends the inner error object {"code","message","path"} of `status` (path null when
// empty), as used in error bodies and in per-item errors such as rejected events.
void AppendErrorObject(std::string* out, const Status& status);

// The JSON error body for a non-OK status (see above).
std::string ErrorBody(const Status& status);

// A JSON error response with HttpStatusFor(status.code()). Adds `Retry-After: 1` for
// resource_exhausted and unavailable. An OK status is a programmer error and yields a
// 500 `internal` response.
HttpResponse ErrorResponse(const Status& status);

// 405 with code "method_not_allowed" and the `Allow` header (e.g. "GET, HEAD").
// Transport-level: no StatusCode corresponds to it.
HttpResponse MethodNotAllowedResponse(std::string_view method, std::string_view path,
                                      std::string allow);

}  // namespace tailor::server
