#include "experiments/stats/metric_stats.h"

#include <gtest/gtest.h>

namespace tailor::experiments::stats {
namespace {

TEST(MetricStats, IncrementalEqualsMerged) {
  MetricStats all, a, b;
  const double ys[] = {1, 4, 2, 8, 5, 7};
  const double xs[] = {0.5, 3, 1, 7, 4, 6};
  for (int i = 0; i < 6; ++i) {
    all.Add(ys[i], xs[i]);
    (i < 3 ? a : b).Add(ys[i], xs[i]);
  }
  a.Merge(b);
  EXPECT_DOUBLE_EQ(a.Mean(), all.Mean());
  EXPECT_DOUBLE_EQ(a.Variance(), all.Variance());
  EXPECT_DOUBLE_EQ(all.Mean(), 27.0 / 6);
  // Sample variance of {1,4,2,8,5,7}: mean 4.5, squared deviations sum 37.5, / 5.
  EXPECT_NEAR(all.Variance(), 37.5 / 5, 1e-12);
  EXPECT_GT(all.Covariance(), 0);
}

TEST(MetricStats, DegenerateSizesGiveZeroNotNaN) {
  MetricStats empty;
  EXPECT_EQ(empty.Mean(), 0);
  EXPECT_EQ(empty.Variance(), 0);
  MetricStats one;
  one.Add(3);
  EXPECT_EQ(one.Mean(), 3);
  EXPECT_EQ(one.Variance(), 0);
}

TEST(MetricStats, SummaryConstructors) {
  MetricStats c = FromConversions(1000, 120);
  EXPECT_DOUBLE_EQ(c.Mean(), 0.12);
  MetricStats m = FromMeanSd(100, 10, 3);
  EXPECT_NEAR(m.Mean(), 10, 1e-12);
  EXPECT_NEAR(m.Variance(), 9, 1e-9);
}

}  // namespace
}  // namespace tailor::experiments::stats
