#include "core/varint.h"

#include <gtest/gtest.h>

#include <limits>

namespace tailor {
namespace {

TEST(Varint, RoundTripsEdgeValuesAndLengthPrefixedStrings) {
  const uint64_t values[] = {0, 1, 127, 128, 16'383, 16'384, uint64_t{1} << 35,
                             std::numeric_limits<uint64_t>::max()};
  std::string out;
  for (uint64_t v : values) PutVarint(&out, v);
  PutLengthPrefixed(&out, std::string("a\0b", 3));
  PutLengthPrefixed(&out, "");
  ByteReader r(out);
  for (uint64_t v : values) {
    uint64_t got = 0;
    ASSERT_TRUE(r.Varint(&got));
    EXPECT_EQ(got, v);
  }
  std::string_view s;
  ASSERT_TRUE(r.String(&s));
  EXPECT_EQ(s, std::string_view("a\0b", 3));
  ASSERT_TRUE(r.String(&s));
  EXPECT_EQ(s, "");
  EXPECT_TRUE(r.done());
  EXPECT_FALSE(r.String(&s));  // past the end
}

TEST(Varint, ZigZagKeepsSmallMagnitudesSmall) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-64}, int64_t{63},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(UnZigZag(ZigZag(v)), v) << v;
  }
  EXPECT_EQ(ZigZag(-1), 1u);
  EXPECT_EQ(ZigZag(1), 2u);
}

TEST(Varint, RejectsTruncatedAndOversizedVarints) {
  uint64_t v = 0;
  ByteReader truncated(std::string_view("\x80\x80", 2));
  EXPECT_FALSE(truncated.Varint(&v));
  // Ten bytes whose last carries more than the 64th bit.
  std::string oversized(9, '\xff');
  oversized.push_back('\x7f');
  ByteReader r(oversized);
  EXPECT_FALSE(r.Varint(&v));
  std::string max(9, '\xff');
  max.push_back('\x01');
  ByteReader ok(max);
  ASSERT_TRUE(ok.Varint(&v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  std::string_view s;
  ByteReader too_long(std::string_view("\x05" "abc", 4));
  EXPECT_FALSE(too_long.String(&s));
}

}  // namespace
}  // namespace tailor
