#include "experiments/stats/frequentist.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tailor::experiments::stats {
namespace {

TEST(Frequentist, IssueExampleIsSignificantAtTenPercentOnly) {
  // 12% vs 15% of 1000: z = 1.96..., p just above 0.05 two-sided.
  auto r = CompareProportions(FromConversions(1000, 120), FromConversions(1000, 150));
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(*r->rel_lift, 0.25, 1e-12);
  EXPECT_GT(r->p_value, 0.04);
  EXPECT_LT(r->p_value, 0.06);
  ASSERT_TRUE(r->rel_ci.has_value());
  EXPECT_LT(r->rel_ci->lower, 0.25);
  EXPECT_GT(r->rel_ci->upper, 0.25);
}

TEST(Frequentist, OneSidedPValuesAddUpToOne) {
  TestOptions g, l;
  g.sided = Sided::kGreater;
  l.sided = Sided::kLess;
  auto c = FromMeanSd(200, 10, 2), t = FromMeanSd(210, 10.3, 2.5);
  auto rg = WelchTTest(c, t, g), rl = WelchTTest(c, t, l);
  ASSERT_TRUE(rg.ok() && rl.ok());
  EXPECT_NEAR(rg->p_value + rl->p_value, 1, 1e-12);
  EXPECT_TRUE(std::isinf(rg->abs_ci->upper));
  EXPECT_TRUE(std::isinf(rl->abs_ci->lower));
}

TEST(Frequentist, DegenerateDataIsWellDefined) {
  // Empty groups.
  auto e = CompareProportions(FromConversions(0, 0), FromConversions(100, 5));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->validity, Validity::kEmptyGroup);
  EXPECT_EQ(e->p_value, 1);
  EXPECT_FALSE(e->abs_ci.has_value());
  auto w = WelchTTest(FromMeanSd(1, 5, 0), FromMeanSd(10, 5, 1));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->validity, Validity::kEmptyGroup);
  // Zero variance: no conversions anywhere.
  auto z = CompareProportions(FromConversions(100, 0), FromConversions(100, 0));
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->validity, Validity::kZeroVariance);
  EXPECT_EQ(z->p_value, 1);
  EXPECT_FALSE(z->rel_lift.has_value());  // control rate 0
  EXPECT_FALSE(z->rel_ci.has_value());
  // Control mean 0 but variance: absolute test works, relative lift undefined.
  auto zm = WelchTTest(FromMeanSd(50, 0, 1), FromMeanSd(50, 0.5, 1));
  ASSERT_TRUE(zm.ok());
  EXPECT_EQ(zm->validity, Validity::kOk);
  EXPECT_FALSE(zm->rel_lift.has_value());
  EXPECT_TRUE(zm->abs_ci.has_value());
  EXPECT_FALSE(std::isnan(zm->p_value));
}

TEST(Frequentist, BadInputIsAnError) {
  EXPECT_EQ(CompareProportions(FromConversions(10, 11), FromConversions(10, 1)).status().path(),
            "control");
  EXPECT_EQ(CompareProportions(FromConversions(10, 1), FromConversions(-1, 0)).status().path(),
            "treatment");
  TestOptions o;
  o.alpha = 1.5;
  EXPECT_EQ(WelchTTest(FromMeanSd(10, 1, 1), FromMeanSd(10, 1, 1), o).status().path(), "alpha");
  EXPECT_FALSE(WelchTTest(FromMeanSd(10, NAN, 1), FromMeanSd(10, 1, 1)).ok());
  EXPECT_FALSE(ParseSided("both").ok());
  EXPECT_EQ(*ParseSided("greater"), Sided::kGreater);
}

}  // namespace
}  // namespace tailor::experiments::stats
