// Unit tests beyond the conformance suite (tests/conformance/assignment_conformance_test.cc
// runs every GrowthBook case): non-ASCII ids, and properties of ranges.
#include "experiments/bucketing.h"

#include <gtest/gtest.h>

namespace tailor::experiments {
namespace {

TEST(Hash, VectorsFromTheConformanceReadme) {
  EXPECT_DOUBLE_EQ(*Hash("", "a", 1), 0.22);
  EXPECT_DOUBLE_EQ(*Hash("seed", "a", 2), 0.0505);
  EXPECT_DOUBLE_EQ(*Hash("90850943850283058242805", "123", 2), 0.7516);
  EXPECT_FALSE(Hash("abc", "def", 99).has_value());
  EXPECT_FALSE(Hash("abc", "def", 0).has_value());
}

TEST(Hash, NonAsciiIdUsesUtf16CodeUnits) {
  // Reference values computed in Python with the SDK rule (UTF-16 code units):
  //   v2: fnv(str(fnv("exp" + id))) % 10000 / 10000, v1: fnv(id + "exp") % 1000 / 1000
  const char* id =
      "\xC3\xBCn\xC3\xAF"
      "c\xC3\xB8"
      "d\xC3\xA9-\xF0\x9F\x98\x80";  // ünïcødé-😀
  EXPECT_DOUBLE_EQ(*Hash("exp", id, 2), 0.3154);
  EXPECT_DOUBLE_EQ(*Hash("exp", id, 1), 0.209);
}

TEST(BucketRanges, CoverageLeavesGapsWithoutMovingStarts) {
  const double w[] = {0.2, 0.8};
  auto full = GetBucketRanges(2, 1.0, w);
  auto half = GetBucketRanges(2, 0.5, w);
  ASSERT_EQ(full.size(), 2u);
  ASSERT_EQ(half.size(), 2u);
  EXPECT_DOUBLE_EQ(half[1].start, full[1].start);
  EXPECT_DOUBLE_EQ(half[1].end, 0.2 + 0.4);
  EXPECT_EQ(ChooseVariation(0.15, half), -1);  // in the gap of variation 0
  EXPECT_EQ(ChooseVariation(0.05, half), 0);
}

TEST(BucketRanges, BadWeightsFallBackToEqual) {
  const double w[] = {0.7, 0.7};
  auto r = GetBucketRanges(2, 1.0, w);
  EXPECT_DOUBLE_EQ(r[0].end, 0.5);
  auto clamped = GetBucketRanges(2, 7.0, {});
  EXPECT_DOUBLE_EQ(clamped[1].end, 1.0);
  EXPECT_TRUE(GetBucketRanges(0, 1.0, {}).empty());
}

TEST(Namespace, RangeIsHalfOpen) {
  // hash("__ns", "1", 1) for some id; the two halves of [0,1) must partition users.
  Namespace lo{"ns", 0, 0.5}, hi{"ns", 0.5, 1};
  for (std::string id : {"1", "2", "3", "user-9", "x"}) {
    EXPECT_NE(InNamespace(id, lo), InNamespace(id, hi)) << id;
  }
}

}  // namespace
}  // namespace tailor::experiments
