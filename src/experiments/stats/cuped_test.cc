#include "experiments/stats/cuped.h"

#include <gtest/gtest.h>

#include <random>

namespace tailor::experiments::stats {
namespace {

TEST(Cuped, CorrelatedCovariateNarrowsTheInterval) {
  std::mt19937_64 rng(42);  // fixed seed: deterministic data
  std::normal_distribution<double> noise(0, 1), pre(10, 3);
  MetricStats c, t;
  for (int i = 0; i < 3000; ++i) {
    double x = pre(rng);
    c.Add(2 + 0.9 * x + noise(rng), x);
    x = pre(rng);
    t.Add(2.1 + 0.9 * x + noise(rng), x);
  }
  auto plain = WelchTTest(c, t);
  auto adjusted = CupedWelchTTest(c, t);
  ASSERT_TRUE(plain.ok() && adjusted.ok());
  const double w_plain = plain->abs_ci->upper - plain->abs_ci->lower;
  const double w_cuped = adjusted->abs_ci->upper - adjusted->abs_ci->lower;
  EXPECT_LT(w_cuped, 0.5 * w_plain);
  auto a = CupedAdjust(c, t);
  ASSERT_TRUE(a.ok());
  EXPECT_NEAR(a->theta, 0.9, 0.05);
  EXPECT_GT(a->variance_reduction, 0.8);
}

TEST(Cuped, NoCovariateMeansNoAdjustment) {
  MetricStats c = FromMeanSd(100, 5, 2), t = FromMeanSd(100, 5.5, 2);
  auto a = CupedAdjust(c, t);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->theta, 0);
  EXPECT_EQ(a->variance_reduction, 0);
  auto plain = WelchTTest(c, t);
  auto cuped = CupedWelchTTest(c, t);
  EXPECT_NEAR(plain->p_value, cuped->p_value, 1e-12);
}

TEST(Cuped, EmptyAndBadInput) {
  auto r = CupedWelchTTest(MetricStats{}, MetricStats{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->validity, Validity::kEmptyGroup);
  MetricStats bad;
  bad.n = -3;
  EXPECT_FALSE(CupedAdjust(bad, MetricStats{}).ok());
}

}  // namespace
}  // namespace tailor::experiments::stats
