#include "experiments/stats/srm.h"

#include <gtest/gtest.h>

namespace tailor::experiments::stats {
namespace {

TEST(SampleRatioMismatch, GbstatsPublishedValue) {
  // gbstats' test: 1000 vs 1200 users at 50/50 gives p ~ 2.0079e-05.
  const double observed[] = {1000, 1200};
  const double weights[] = {0.5, 0.5};
  auto r = SampleRatioMismatch(observed, weights);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->p_value, 2.0079e-05, 1e-9);
  EXPECT_NEAR(r->chi_squared, 2 * 100.0 * 100.0 / 1100.0, 1e-9);  // expected 1100 each
}

TEST(SampleRatioMismatch, EmptyAndInvalid) {
  const double zeros[] = {0, 0};
  auto r = SampleRatioMismatch(zeros);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->p_value, 1);
  const double one[] = {5};
  EXPECT_EQ(SampleRatioMismatch(one).status().path(), "observed");
  const double obs[] = {5, 6};
  const double bad_w[] = {0.5, 0};
  EXPECT_EQ(SampleRatioMismatch(obs, bad_w).status().path(), "weights[1]");
  const double short_w[] = {1};
  EXPECT_EQ(SampleRatioMismatch(obs, short_w).status().path(), "weights");
  const double neg[] = {5, -1};
  EXPECT_EQ(SampleRatioMismatch(neg).status().path(), "observed[1]");
}

}  // namespace
}  // namespace tailor::experiments::stats
