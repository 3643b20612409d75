#include "core/status.h"

namespace tailor {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kDeadlineExceeded: return "deadline_exceeded";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIOError: return "io_error";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kPayloadTooLarge: return "payload_too_large";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message, std::string path) {
  if (code != StatusCode::kOk) {
    rep_ = std::make_unique<Rep>(Rep{code, std::move(message), std::move(path)});
  }
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

const std::string& Status::path() const {
  static const std::string kEmpty;
  return rep_ ? rep_->path : kEmpty;
}

Status Status::WithPathPrefix(std::string_view prefix) const {
  if (ok()) return Status();
  std::string joined(prefix);
  if (!rep_->path.empty()) {
    if (!joined.empty() && rep_->path.front() != '[') joined += '.';
    joined += rep_->path;
  }
  return Status(rep_->code, rep_->message, std::move(joined));
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(StatusCodeName(rep_->code));
  s += ": ";
  s += rep_->message;
  if (!rep_->path.empty()) {
    s += " (at ";
    s += rep_->path;
    s += ")";
  }
  return s;
}

Status InvalidArgument(std::string m, std::string p) {
  return Status(StatusCode::kInvalidArgument, std::move(m), std::move(p));
}
Status NotFound(std::string m, std::string p) {
  return Status(StatusCode::kNotFound, std::move(m), std::move(p));
}
Status AlreadyExists(std::string m, std::string p) {
  return Status(StatusCode::kAlreadyExists, std::move(m), std::move(p));
}
Status Unauthenticated(std::string m) { return Status(StatusCode::kUnauthenticated, std::move(m)); }
Status PermissionDenied(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
Status ResourceExhausted(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
Status FailedPrecondition(std::string m, std::string p) {
  return Status(StatusCode::kFailedPrecondition, std::move(m), std::move(p));
}
Status Unavailable(std::string m) { return Status(StatusCode::kUnavailable, std::move(m)); }
Status DeadlineExceeded(std::string m) {
  return Status(StatusCode::kDeadlineExceeded, std::move(m));
}
Status Corruption(std::string m) { return Status(StatusCode::kCorruption, std::move(m)); }
Status IOError(std::string m) { return Status(StatusCode::kIOError, std::move(m)); }
Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }
Status PayloadTooLarge(std::string m) { return Status(StatusCode::kPayloadTooLarge, std::move(m)); }

}  // namespace tailor
