#include "experiments/stats/power.h"

#include <gtest/gtest.h>

namespace tailor::experiments::stats {
namespace {

TEST(Power, SmallerEffectsNeedMoreUnits) {
  auto n5 = SampleSizeProportions(0.10, 0.05);
  auto n10 = SampleSizeProportions(0.10, 0.10);
  ASSERT_TRUE(n5.ok() && n10.ok());
  EXPECT_GT(*n5, 3 * *n10);  // ~ quadratic in 1/mde
  PowerOptions one_sided;
  one_sided.sided = Sided::kGreater;
  EXPECT_LT(*SampleSizeProportions(0.10, 0.05, one_sided), *n5);
}

TEST(Power, InvalidInputNamesTheField) {
  EXPECT_EQ(SampleSizeProportions(0, 0.05).status().path(), "baseline");
  EXPECT_EQ(SampleSizeProportions(0.1, 0).status().path(), "mde");
  EXPECT_EQ(SampleSizeProportions(0.6, 1.0).status().path(), "mde");  // 1.2 is no rate
  PowerOptions o;
  o.power = 1;
  EXPECT_EQ(SampleSizeProportions(0.1, 0.05, o).status().path(), "power");
  EXPECT_EQ(SampleSizeMeans(10, 0, 0.05).status().path(), "sd");
  EXPECT_EQ(SampleSizeMeans(0, 1, 0.05).status().path(), "mean");
  EXPECT_EQ(SampleSizeProportions(0.5, 1e-12).status().path(), "mde");  // undetectable
}

}  // namespace
}  // namespace tailor::experiments::stats
