// CUPED (Deng et al. 2013, "Improving the sensitivity of online controlled experiments by
// utilizing pre-experiment data"): variance reduction with a pre-exposure covariate x
// (e.g. the same metric in the weeks before exposure, from the profile).
//
//   θ = Cov(x, y) / Var(x)                 pooled over control and treatment
//   ȳ*_i = ȳ_i - θ (x̄_i - x̄)               x̄: pooled covariate mean
//   Var*(y_i) = Var(y_i) + θ² Var(x_i) - 2θ Cov(x_i, y_i)
//
// The adjusted moments then go through Welch's t test (frequentist.h). Everything comes
// from MetricStats sums, so it works on incrementally kept aggregates.
//
// Thread safety: pure functions.
#pragma once

#include "core/status.h"
#include "experiments/stats/frequentist.h"
#include "experiments/stats/metric_stats.h"

namespace tailor::experiments::stats {

struct CupedAdjustment {
  double theta = 0;  // 0 when the pooled covariate has no variance
  Moments control;
  Moments treatment;
  // 1 - Var*(ȳ_t - ȳ_c) / Var(ȳ_t - ȳ_c): the fraction of variance removed (0 when the
  // unadjusted variance is 0).
  double variance_reduction = 0;
};

// Computes θ and the adjusted moments. Errors: negative or non-finite counts.
Result<CupedAdjustment> CupedAdjust(const MetricStats& control, const MetricStats& treatment);

// CupedAdjust, then CompareMoments with Welch's t.
Result<Comparison> CupedWelchTTest(const MetricStats& control, const MetricStats& treatment,
                                   const TestOptions& options = {});

}  // namespace tailor::experiments::stats
