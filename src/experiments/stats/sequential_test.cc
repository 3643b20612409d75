#include "experiments/stats/sequential.h"

#include <gtest/gtest.h>

namespace tailor::experiments::stats {
namespace {

TEST(Sequential, WiderThanFixedHorizonAndPValueLarger) {
  auto c = FromConversions(20000, 2000), t = FromConversions(20000, 2150);
  auto fixed = CompareProportions(c, t);
  auto seq = SequentialCompare(c, t, /*proportions=*/true);
  ASSERT_TRUE(fixed.ok() && seq.ok());
  EXPECT_LT(seq->abs_ci->lower, fixed->abs_ci->lower);
  EXPECT_GT(seq->abs_ci->upper, fixed->abs_ci->upper);
  EXPECT_GT(seq->p_value, fixed->p_value);
  // The always-valid p-value agrees with the interval: below alpha iff 0 is excluded.
  EXPECT_EQ(seq->p_value<0.05, seq->abs_ci->lower> 0 || seq->abs_ci->upper < 0);
}

TEST(Sequential, HalfWidthShrinksWithData) {
  double prev = 1e300;
  for (double n : {100.0, 1000.0, 10000.0, 100000.0}) {
    const double hw = SequentialHalfWidth(1.0 / n, n, 0.05, 5000);
    EXPECT_LT(hw, prev);
    prev = hw;
  }
  EXPECT_EQ(SequentialHalfWidth(0, 100, 0.05, 5000), 0);
}

TEST(Sequential, DegenerateAndInvalid) {
  auto r = SequentialCompare(FromConversions(0, 0), FromConversions(0, 0), true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->validity, Validity::kEmptyGroup);
  EXPECT_EQ(r->p_value, 1);
  SequentialOptions o;
  o.tuning = 0;
  EXPECT_EQ(
      SequentialCompare(FromConversions(10, 1), FromConversions(10, 2), true, o).status().path(),
      "tuning");
}

}  // namespace
}  // namespace tailor::experiments::stats
