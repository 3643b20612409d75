#include "experiments/stats/sequential.h"

#include <cmath>

namespace tailor::experiments::stats {

Status SequentialOptions::Validate() const {
  if (!(alpha > 0 && alpha < 1)) return InvalidArgument("must be in (0, 1)", "alpha");
  if (!(tuning > 0) || !std::isfinite(tuning)) return InvalidArgument("must be > 0", "tuning");
  return Status::OK();
}

double SequentialHalfWidth(double variance, double n_total, double alpha, double tuning) {
  if (!(variance > 0) || !(n_total > 0)) return 0;
  const double l = -2 * std::log(alpha);
  const double rho2 = (l + std::log(l + 1)) / tuning;  // ρ²
  const double s2 = variance * n_total;
  const double k = n_total * rho2 + 1;
  return std::sqrt(s2) *
         std::sqrt(2 * k * std::log(std::sqrt(k) / alpha) / (n_total * n_total * rho2));
}

namespace {

// Smallest alpha in (0, 1) whose interval excludes 0; 1 when even alpha -> 1 does not.
double AlwaysValidPValue(double estimate, double variance, double n_total, double tuning) {
  const double target = std::fabs(estimate);
  auto excludes = [&](double a) {
    return SequentialHalfWidth(variance, n_total, a, tuning) < target;
  };
  if (!excludes(1 - 1e-12)) return 1;
  // Bisection on ln(alpha): the half-width shrinks as alpha grows.
  double lo = std::log(1e-300), hi = std::log(1 - 1e-12);  // excludes(e^hi) is true
  if (excludes(std::exp(lo))) return 0;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (excludes(std::exp(mid)) ? hi : lo) = mid;
  }
  return std::exp(hi);
}

}  // namespace

Result<Comparison> SequentialCompare(const MetricStats& control, const MetricStats& treatment,
                                     bool proportions, const SequentialOptions& options) {
  TAILOR_RETURN_IF_ERROR(options.Validate());
  TestOptions fixed;
  fixed.alpha = options.alpha;
  Result<Comparison> base = proportions ? CompareProportions(control, treatment, fixed)
                                        : WelchTTest(control, treatment, fixed);
  if (!base.ok() || base->validity != Validity::kOk) return base;
  Comparison r = std::move(base).value();
  Moments c{control.n, control.Mean(),
            proportions ? control.Mean() * (1 - control.Mean()) : control.Variance()};
  Moments t{treatment.n, treatment.Mean(),
            proportions ? treatment.Mean() * (1 - treatment.Mean()) : treatment.Variance()};
  const EffectErrors e = ComputeEffectErrors(c, t);
  const double n_total = control.n + treatment.n;
  const double hw =
      SequentialHalfWidth(e.abs_se * e.abs_se, n_total, options.alpha, options.tuning);
  r.abs_ci = Interval{r.abs_lift - hw, r.abs_lift + hw};
  if (r.rel_lift && e.rel_se > 0) {
    const double rhw =
        SequentialHalfWidth(e.rel_se * e.rel_se, n_total, options.alpha, options.tuning);
    r.rel_ci = Interval{*r.rel_lift - rhw, *r.rel_lift + rhw};
  }
  r.p_value = AlwaysValidPValue(r.abs_lift, e.abs_se * e.abs_se, n_total, options.tuning);
  return r;
}

}  // namespace tailor::experiments::stats
