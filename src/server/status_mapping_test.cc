#include "server/status_mapping.h"

#include <gtest/gtest.h>

namespace tailor::server {
namespace {

TEST(StatusMapping, CodesMapToHttp) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(StatusCode::kCorruption), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kIOError), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

TEST(StatusMapping, ErrorBodyWithPath) {
  HttpResponse r = ErrorResponse(InvalidArgument("bad \"time\"", "events[3].timestamp"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            R"({"error":{"code":"invalid_argument","message":"bad \"time\"",)"
            R"("path":"events[3].timestamp"}})");
}

TEST(StatusMapping, ErrorBodyWithoutPathHasNull) {
  EXPECT_EQ(ErrorBody(NotFound("no such profile")),
            R"({"error":{"code":"not_found","message":"no such profile","path":null}})");
}

TEST(StatusMapping, RetryAfterOnTransientErrors) {
  HttpResponse r = ErrorResponse(ResourceExhausted("slow down"));
  EXPECT_EQ(r.status, 429);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_TRUE(ErrorResponse(InvalidArgument("x")).headers.empty());
}

TEST(StatusMapping, OkStatusIsInternalError) {
  HttpResponse r = ErrorResponse(Status::OK());
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("\"internal\""), std::string::npos);
}

TEST(StatusMapping, MethodNotAllowed) {
  HttpResponse r = MethodNotAllowedResponse("POST", "/healthz", "GET, HEAD");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.body,
            R"({"error":{"code":"method_not_allowed","message":"method POST is not allowed on )"
            R"(/healthz; allowed: GET, HEAD","path":null}})");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>("Allow", "GET, HEAD")));
}

}  // namespace
}  // namespace tailor::server
