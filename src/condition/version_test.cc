#include "condition/version.h"

#include <gtest/gtest.h>

namespace tailor::condition {
namespace {

TEST(Version, PaddedForm) {
  EXPECT_EQ(PaddedVersion("1.2.3"), "    1-    2-    3-~");
  EXPECT_EQ(PaddedVersion("v1.2.3+build.7"), "    1-    2-    3-~");
  EXPECT_EQ(PaddedVersion("1.0.0-rc.1"), "    1-    0-    0-rc-    1");
  EXPECT_EQ(PaddedVersion("123456.1"), "123456-    1");
  EXPECT_EQ(PaddedVersion(""), "    0");
  EXPECT_EQ(PaddedVersion("1.0.0--"), "    1-    0-    0--");
}

TEST(Version, StreamingCompareMatchesMaterialized) {
  const char* versions[] = {"1.2.3", "1.2.3-beta", "v2", "10.0.0", "1-2-3", "", "a.b", "1.2.3+x"};
  for (const char* a : versions) {
    for (const char* b : versions) {
      int want = PaddedVersion(a).compare(PaddedVersion(b));
      want = want < 0 ? -1 : want > 0 ? 1 : 0;
      int got = ComparePaddedVersion(a, PaddedVersion(b));
      got = got < 0 ? -1 : got > 0 ? 1 : 0;
      EXPECT_EQ(got, want) << a << " vs " << b;
    }
  }
}

TEST(Version, Ordering) {
  EXPECT_LT(CompareVersions("1.0.0-beta", "1.0.0"), 0);
  EXPECT_LT(CompareVersions("1.9.0", "1.10.0"), 0);
  EXPECT_EQ(CompareVersions("1.2.3.4", "1.2.3-4"), 0);
  EXPECT_GT(CompareVersions("2.0.0", "v1.99.99"), 0);
}

}  // namespace
}  // namespace tailor::condition
