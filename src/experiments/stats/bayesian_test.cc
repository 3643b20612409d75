#include "experiments/stats/bayesian.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tailor::experiments::stats {
namespace {

TEST(Bayesian, IdenticalArmsAreACoinFlip) {
  auto b = BayesianBinomial(FromConversions(500, 50), FromConversions(500, 50));
  ASSERT_TRUE(b.ok());
  EXPECT_NEAR(b->chance_to_win, 0.5, 1e-6);
  EXPECT_NEAR(b->expected_loss, b->expected_loss_control, 1e-9);
  auto g = BayesianGaussian(FromMeanSd(100, 5, 1), FromMeanSd(100, 5, 1));
  ASSERT_TRUE(g.ok());
  EXPECT_NEAR(g->chance_to_win, 0.5, 1e-12);
}

TEST(Bayesian, BetterTreatmentWins) {
  auto b = BayesianBinomial(FromConversions(1000, 120), FromConversions(1000, 150));
  ASSERT_TRUE(b.ok());
  EXPECT_GT(b->chance_to_win, 0.95);
  EXPECT_LT(b->expected_loss, b->expected_loss_control);
  ASSERT_TRUE(b->rel_ci.has_value());
  EXPECT_LT(b->rel_ci->lower, b->rel_ci->upper);
}

TEST(Bayesian, LargeSamplesStayAccurate) {
  // Very peaked posteriors must not defeat the quadrature: symmetric arms stay at 0.5.
  auto b = BayesianBinomial(FromConversions(5e6, 2e5), FromConversions(5e6, 2e5));
  ASSERT_TRUE(b.ok());
  EXPECT_NEAR(b->chance_to_win, 0.5, 1e-6);
}

TEST(Bayesian, EmptyGroupsAreWellDefined) {
  auto b = BayesianBinomial(FromConversions(0, 0), FromConversions(0, 0));
  ASSERT_TRUE(b.ok());  // the prior alone: a coin flip
  EXPECT_NEAR(b->chance_to_win, 0.5, 1e-6);
  EXPECT_FALSE(std::isnan(b->expected_loss));
  auto g = BayesianGaussian(FromMeanSd(1, 3, 0), FromMeanSd(0, 0, 0));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->validity, Validity::kEmptyGroup);
  EXPECT_EQ(g->chance_to_win, 0.5);
  auto z = BayesianGaussian(FromMeanSd(10, 3, 0), FromMeanSd(10, 4, 0));
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->validity, Validity::kZeroVariance);
  EXPECT_EQ(z->chance_to_win, 1);
  EXPECT_EQ(z->expected_loss, 0);
}

TEST(Bayesian, BadInput) {
  EXPECT_FALSE(BayesianBinomial(FromConversions(10, 20), FromConversions(10, 1)).ok());
  BayesianOptions o;
  o.ci_level = 1;
  EXPECT_EQ(BayesianGaussian(FromMeanSd(10, 1, 1), FromMeanSd(10, 1, 1), o).status().path(),
            "ci_level");
}

}  // namespace
}  // namespace tailor::experiments::stats
