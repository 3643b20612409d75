// Status and Result<T>: errors as values.
//
// A Status is either OK (no allocation, one null pointer) or carries a domain code, a
// human message and an optional JSON path / field name that locates the problem in the
// input ("events[3].timestamp", "events.yaml:12 schemas.purchase"). Domain code never
// sees HTTP status codes; server/status_mapping.cc maps codes to the wire.
//
// Thread safety: Status and Result are values; const methods are safe to call
// concurrently, mutation needs external synchronization like any value type.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tailor {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,    // input is malformed or violates a rule; caller must fix it
  kNotFound,           // the addressed object does not exist
  kAlreadyExists,      // create of an object that exists
  kUnauthenticated,    // missing or unknown credentials
  kPermissionDenied,   // credentials lack the required scope
  kResourceExhausted,  // rate limit, quota or size limit hit; retry later / send less
  kFailedPrecondition, // system is not in a state where the call can run
  kUnavailable,        // transient: shutting down, storage busy; retry
  kDeadlineExceeded,   // the time budget was spent
  kCorruption,         // stored data cannot be decoded
  kIOError,            // the operating system or storage engine failed
  kInternal,           // a bug
  kPayloadTooLarge,    // a request body or batch is over the configured limit
};

// Returns the stable, lower_snake_case name used in error bodies ("invalid_argument").
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;
  Status(StatusCode code, std::string message, std::string path = {});

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // Empty when ok().
  const std::string& message() const;
  // The JSON path or config location of the problem; empty when unknown.
  const std::string& path() const;

  // Returns a copy whose path is `prefix` joined with the current path
  // ("events[2]" + "properties.price" -> "events[2].properties.price").
  Status WithPathPrefix(std::string_view prefix) const;

  // "invalid_argument: message (at path)".
  std::string ToString() const;

  // Marks a Status as deliberately unused.
  void IgnoreError() const {}

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string path;
  };
  std::unique_ptr<Rep> rep_;
};

// Convenience constructors, one per code.
Status InvalidArgument(std::string message, std::string path = {});
Status NotFound(std::string message, std::string path = {});
Status AlreadyExists(std::string message, std::string path = {});
Status Unauthenticated(std::string message);
Status PermissionDenied(std::string message);
Status ResourceExhausted(std::string message);
Status FailedPrecondition(std::string message, std::string path = {});
Status Unavailable(std::string message);
Status DeadlineExceeded(std::string message);
Status Corruption(std::string message);
Status IOError(std::string message);
Status Internal(std::string message);
Status PayloadTooLarge(std::string message);

// Result<T> holds a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}    // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<1>(v_);
  }
  // REQUIRES: ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tailor

#define TAILOR_CONCAT_INNER_(a, b) a##b
#define TAILOR_CONCAT_(a, b) TAILOR_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (a Status) is not OK.
#define TAILOR_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::tailor::Status _tailor_st = (expr);     \
    if (!_tailor_st.ok()) return _tailor_st;  \
  } while (0)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value
// into `lhs` (which may be a declaration: `auto x`).
#define TAILOR_ASSIGN_OR_RETURN(lhs, rexpr) \
  TAILOR_ASSIGN_OR_RETURN_IMPL_(TAILOR_CONCAT_(_tailor_r, __LINE__), lhs, rexpr)
#define TAILOR_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
