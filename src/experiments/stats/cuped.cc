#include "experiments/stats/cuped.h"

#include <algorithm>
#include <cmath>

namespace tailor::experiments::stats {

Result<CupedAdjustment> CupedAdjust(const MetricStats& c, const MetricStats& t) {
  for (const MetricStats* s : {&c, &t}) {
    const char* arm = s == &c ? "control" : "treatment";
    if (!(s->n >= 0) || !std::isfinite(s->n)) {
      return InvalidArgument("units must be a finite number >= 0", arm);
    }
    if (!std::isfinite(s->sum) || !std::isfinite(s->sum_sq) || !std::isfinite(s->x_sum) ||
        !std::isfinite(s->x_sum_sq) || !std::isfinite(s->xy_sum)) {
      return InvalidArgument("sums must be finite", arm);
    }
  }
  MetricStats pooled = c;
  pooled.Merge(t);
  CupedAdjustment a;
  const double var_x = pooled.XVariance();
  if (var_x > 0) a.theta = pooled.Covariance() / var_x;
  const double x_bar = pooled.XMean();
  auto adjust = [&](const MetricStats& s) {
    Moments m;
    m.n = s.n;
    m.mean = s.Mean() - a.theta * (s.XMean() - x_bar);
    m.variance = std::max(
        0.0, s.Variance() + a.theta * a.theta * s.XVariance() - 2 * a.theta * s.Covariance());
    return m;
  };
  a.control = adjust(c);
  a.treatment = adjust(t);
  if (c.n > 0 && t.n > 0) {
    const double before = c.Variance() / c.n + t.Variance() / t.n;
    const double after = a.control.variance / c.n + a.treatment.variance / t.n;
    if (before > 0) a.variance_reduction = 1 - after / before;
  }
  return a;
}

Result<Comparison> CupedWelchTTest(const MetricStats& control, const MetricStats& treatment,
                                   const TestOptions& options) {
  TAILOR_ASSIGN_OR_RETURN(CupedAdjustment a, CupedAdjust(control, treatment));
  return CompareMoments(a.control, a.treatment, /*use_normal=*/false, options);
}

}  // namespace tailor::experiments::stats
