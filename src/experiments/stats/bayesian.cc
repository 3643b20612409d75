#include "experiments/stats/bayesian.h"

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <exception>

#include "experiments/stats/distributions.h"

namespace tailor::experiments::stats {

namespace {

struct BetaPost {
  double a, b;
  double Mean() const { return a / (a + b); }
  double Sd() const { return std::sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))); }
};

// ∫ f(x) dx over [lo, hi] by adaptive 61-point Gauss–Kronrod.
template <typename F>
double Integrate(F f, double lo, double hi) {
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(f, lo, hi, 8, 1e-9);
}

}  // namespace

Status BayesianOptions::Validate() const {
  if (!(ci_level > 0 && ci_level < 1)) return InvalidArgument("must be in (0, 1)", "ci_level");
  if (!(prior_alpha > 0) || !(prior_beta > 0) || !std::isfinite(prior_alpha) ||
      !std::isfinite(prior_beta)) {
    return InvalidArgument("Beta prior parameters must be > 0", "prior");
  }
  return Status::OK();
}

Result<BayesianResult> BayesianBinomial(const MetricStats& control, const MetricStats& treatment,
                                        const BayesianOptions& options) {
  TAILOR_RETURN_IF_ERROR(options.Validate());
  for (const MetricStats* s : {&control, &treatment}) {
    const char* arm = s == &control ? "control" : "treatment";
    if (!(s->n >= 0) || !std::isfinite(s->n) || !(s->sum >= 0) || s->sum > s->n) {
      return InvalidArgument("need 0 <= conversions <= units", arm);
    }
  }
  const BetaPost A{options.prior_alpha + control.sum, options.prior_beta + control.n - control.sum};
  const BetaPost B{options.prior_alpha + treatment.sum,
                   options.prior_beta + treatment.n - treatment.sum};
  BayesianResult r;
  const double lo = std::max(0.0, A.Mean() - 12 * A.Sd());
  const double hi = std::min(1.0, A.Mean() + 12 * A.Sd());
  try {  // the quadrature may throw on pathological input; keep exceptions in here
    r.chance_to_win = Integrate(
        [&](double x) { return BetaPdf(x, A.a, A.b) * (1 - BetaCdf(x, B.a, B.b)); }, lo, hi);
    r.expected_loss = Integrate(
        [&](double x) {
          return BetaPdf(x, A.a, A.b) *
                 (x * BetaCdf(x, B.a, B.b) - B.Mean() * BetaCdf(x, B.a + 1, B.b));
        },
        lo, hi);
  } catch (const std::exception& e) {
    return Internal(std::string("numerical integration failed: ") + e.what());
  }
  r.chance_to_win = std::clamp(r.chance_to_win, 0.0, 1.0);
  r.expected_loss = std::max(0.0, r.expected_loss);
  r.expected_loss_control = std::max(0.0, B.Mean() - A.Mean() + r.expected_loss);
  // ln(B/A) by the normal approximation of the log of a Beta variable.
  const double m = (Digamma(B.a) - Digamma(B.a + B.b)) - (Digamma(A.a) - Digamma(A.a + A.b));
  const double v = Trigamma(B.a) - Trigamma(B.a + B.b) + Trigamma(A.a) - Trigamma(A.a + A.b);
  const double s = std::sqrt(std::max(0.0, v));
  const double z = NormalQuantile(1 - (1 - options.ci_level) / 2);
  r.rel_lift = std::exp(m + v / 2) - 1;
  r.rel_ci = Interval{std::exp(m - z * s) - 1, std::exp(m + z * s) - 1};
  return r;
}

Result<BayesianResult> BayesianGaussian(const MetricStats& control, const MetricStats& treatment,
                                        const BayesianOptions& options) {
  TAILOR_RETURN_IF_ERROR(options.Validate());
  for (const MetricStats* s : {&control, &treatment}) {
    const char* arm = s == &control ? "control" : "treatment";
    if (!(s->n >= 0) || !std::isfinite(s->n) || !std::isfinite(s->sum) ||
        !std::isfinite(s->sum_sq)) {
      return InvalidArgument("units must be >= 0 and sums finite", arm);
    }
  }
  BayesianResult r;
  if (control.n < 2 || treatment.n < 2) {
    r.validity = Validity::kEmptyGroup;
    return r;
  }
  const Moments c{control.n, control.Mean(), control.Variance()};
  const Moments t{treatment.n, treatment.Mean(), treatment.Variance()};
  const EffectErrors e = ComputeEffectErrors(c, t);
  const double d = t.mean - c.mean;
  const double sigma = e.abs_se;
  if (c.mean != 0) r.rel_lift = t.mean / c.mean - 1;
  if (!(sigma > 0)) {
    r.validity = Validity::kZeroVariance;
    r.chance_to_win = d > 0 ? 1 : d < 0 ? 0 : 0.5;
    r.expected_loss = std::max(-d, 0.0);
    r.expected_loss_control = std::max(d, 0.0);
    return r;
  }
  const double zd = d / sigma;
  r.chance_to_win = NormalCdf(zd);
  r.expected_loss = std::max(0.0, sigma * NormalPdf(zd) - d * NormalCdf(-zd));
  r.expected_loss_control = std::max(0.0, sigma * NormalPdf(zd) + d * NormalCdf(zd));
  if (r.rel_lift && e.rel_se > 0) {
    const double z = NormalQuantile(1 - (1 - options.ci_level) / 2);
    r.rel_ci = Interval{*r.rel_lift - z * e.rel_se, *r.rel_lift + z * e.rel_se};
  }
  return r;
}

}  // namespace tailor::experiments::stats
