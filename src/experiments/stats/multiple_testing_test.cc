#include "experiments/stats/multiple_testing.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tailor::experiments::stats {
namespace {

TEST(MultipleTesting, AdjustedNeverBelowRawAndHolmAtLeastBh) {
  const double p[] = {0.01, 0.04, 0.03, 0.005, 0.2};
  auto holm = HolmAdjust(p);
  auto bh = BenjaminiHochbergAdjust(p);
  ASSERT_TRUE(holm.ok() && bh.ok());
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_GE((*holm)[i], p[i]);
    EXPECT_GE((*bh)[i], p[i]);
    EXPECT_GE((*holm)[i], (*bh)[i]);
    EXPECT_LE((*holm)[i], 1);
  }
  EXPECT_DOUBLE_EQ((*holm)[3], 0.025);  // smallest of 5: 5 · 0.005
}

TEST(MultipleTesting, EmptyAndInvalid) {
  EXPECT_TRUE(HolmAdjust({})->empty());
  const double bad[] = {0.1, 1.5};
  EXPECT_EQ(HolmAdjust(bad).status().path(), "p_values[1]");
  const double nan[] = {NAN};
  EXPECT_FALSE(BenjaminiHochbergAdjust(nan).ok());
}

}  // namespace
}  // namespace tailor::experiments::stats
