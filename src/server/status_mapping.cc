#include "server/status_mapping.h"

#include "core/json_util.h"

namespace tailor::server {

namespace {

void AppendErrorFields(std::string* out, std::string_view code, std::string_view message,
                       std::string_view path) {
  *out += "{\"code\":";
  AppendJsonString(out, code);
  *out += ",\"message\":";
  AppendJsonString(out, message);
  *out += ",\"path\":";
  if (path.empty()) {
    *out += "null";
  } else {
    AppendJsonString(out, path);
  }
  *out += '}';
}

std::string ErrorBodyFor(std::string_view code, std::string_view message,
                         std::string_view path) {
  std::string out = "{\"error\":";
  AppendErrorFields(&out, code, message, path);
  out += '}';
  return out;
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kPayloadTooLarge: return 413;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kCorruption: return 500;
    case StatusCode::kIOError: return 500;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

void AppendErrorObject(std::string* out, const Status& status) {
  AppendErrorFields(out, StatusCodeName(status.code()), status.message(), status.path());
}

std::string ErrorBody(const Status& status) {
  if (status.ok()) {
    return ErrorBodyFor(StatusCodeName(StatusCode::kInternal),
                        "error response built from an OK status", {});
  }
  return ErrorBodyFor(StatusCodeName(status.code()), status.message(), status.path());
}

HttpResponse ErrorResponse(const Status& status) {
  HttpResponse r = HttpResponse::Json(
      status.ok() ? 500 : HttpStatusFor(status.code()), ErrorBody(status));
  if (status.code() == StatusCode::kResourceExhausted ||
      status.code() == StatusCode::kUnavailable) {
    r.headers.emplace_back("Retry-After", "1");
  }
  return r;
}

HttpResponse MethodNotAllowedResponse(std::string_view method, std::string_view path,
                                      std::string allow) {
  std::string message = "method ";
  message.append(method).append(" is not allowed on ").append(path);
  message.append("; allowed: ").append(allow);
  HttpResponse r = HttpResponse::Json(405, ErrorBodyFor("method_not_allowed", message, {}));
  r.headers.emplace_back("Allow", std::move(allow));
  return r;
}

}  // namespace tailor::server
