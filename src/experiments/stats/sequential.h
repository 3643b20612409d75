// Sequential testing with always-valid confidence intervals, so results may be looked
// at any number of times ("peeking") without inflating the false-positive rate.
//
// The interval is the normal-mixture confidence sequence of Waudby-Smith et al. (2023,
// arXiv:2103.06476v7, eq. 9 with the tuning of eq. 161), in the form GrowthBook's gbstats
// uses in its sequential test. With N = n_c + n_t units, V the variance of the estimate
// (absolute or delta-method relative lift, frequentist.h) and s² = N·V:
//
//   ρ = sqrt( (-2 ln α + ln(-2 ln α + 1)) / M )       M: tuning parameter (default 5000,
//                                                      about the expected total units)
//   half-width = sqrt(s²) · sqrt( 2 (N ρ² + 1) · ln( sqrt(N ρ² + 1) / α ) / (N ρ)² )
//
// The always-valid p-value is the smallest α whose interval excludes 0, found by
// bisection on α (ρ is recomputed for every candidate α).
//
// Thread safety: pure functions.
#pragma once

#include "core/status.h"
#include "experiments/stats/frequentist.h"
#include "experiments/stats/metric_stats.h"

namespace tailor::experiments::stats {

struct SequentialOptions {
  double alpha = 0.05;
  // M: the number of total units at which the interval is tightest. Larger M gives wider
  // intervals early and narrower ones late.
  double tuning = 5000;

  // OK when 0 < alpha < 1 and tuning > 0.
  Status Validate() const;
};

// Half-width of the always-valid interval for an estimate with variance `variance` after
// `n_total` units. 0 when variance or n_total is not positive.
double SequentialHalfWidth(double variance, double n_total, double alpha, double tuning);

// Like CompareProportions / WelchTTest (two-sided only), with abs_ci, rel_ci and p_value
// replaced by their always-valid counterparts.
Result<Comparison> SequentialCompare(const MetricStats& control, const MetricStats& treatment,
                                     bool proportions, const SequentialOptions& options = {});

}  // namespace tailor::experiments::stats
