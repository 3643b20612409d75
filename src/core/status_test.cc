#include "core/status.h"

#include <gtest/gtest.h>

namespace tailor {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd", "x");
  return x / 2;
}

Result<int> Quarter(int x) {
  TAILOR_ASSIGN_OR_RETURN(int h, Half(x));
  TAILOR_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Status, OkIsCheapAndEmpty) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_EQ(sizeof(Status), sizeof(void*));
}

TEST(Status, CarriesCodeMessagePath) {
  Status s = InvalidArgument("bad", "a.b");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "invalid_argument: bad (at a.b)");
  Status copy = s;
  EXPECT_EQ(copy.path(), "a.b");
  EXPECT_EQ(s.WithPathPrefix("events[2]").path(), "events[2].a.b");
  EXPECT_EQ(InvalidArgument("x", "[1]").WithPathPrefix("events").path(), "events[1]");
}

TEST(Result, MacrosPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().path(), "x");
}

}  // namespace
}  // namespace tailor
