#include "experiments/stats/frequentist.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "experiments/stats/distributions.h"

namespace tailor::experiments::stats {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Status CheckCounts(const MetricStats& s, const char* arm, bool proportion) {
  if (!(s.n >= 0) || !std::isfinite(s.n)) {
    return InvalidArgument("units must be a finite number >= 0", arm);
  }
  if (!std::isfinite(s.sum) || !std::isfinite(s.sum_sq)) {
    return InvalidArgument("sums must be finite", arm);
  }
  if (proportion && (s.sum < 0 || s.sum > s.n)) {
    return InvalidArgument("conversions must be between 0 and the number of units", arm);
  }
  return Status::OK();
}

// Quantile of the test distribution.
double Quantile(double p, bool use_normal, double df) {
  return use_normal ? NormalQuantile(p) : StudentTQuantile(p, df);
}

double Sf(double x, bool use_normal, double df) {
  return use_normal ? NormalSf(x) : StudentTSf(x, df);
}

// Interval around `estimate` with standard error `se` for the sidedness.
Interval MakeInterval(double estimate, double se, double alpha, Sided sided, bool use_normal,
                      double df) {
  if (sided == Sided::kTwo) {
    const double q = Quantile(1 - alpha / 2, use_normal, df);
    return {estimate - q * se, estimate + q * se};
  }
  const double q = Quantile(1 - alpha, use_normal, df);
  if (sided == Sided::kGreater) return {estimate - q * se, kInf};
  return {-kInf, estimate + q * se};
}

}  // namespace

Result<Sided> ParseSided(std::string_view text) {
  if (text == "two" || text == "two-sided") return Sided::kTwo;
  if (text == "greater") return Sided::kGreater;
  if (text == "less") return Sided::kLess;
  return InvalidArgument("must be two, greater or less, got '" + std::string(text) + "'", "sided");
}

std::string_view SidedName(Sided s) {
  switch (s) {
    case Sided::kTwo:
      return "two";
    case Sided::kGreater:
      return "greater";
    case Sided::kLess:
      return "less";
  }
  return "two";
}

std::string_view ValidityName(Validity v) {
  switch (v) {
    case Validity::kOk:
      return "ok";
    case Validity::kEmptyGroup:
      return "empty_group";
    case Validity::kZeroVariance:
      return "zero_variance";
  }
  return "ok";
}

Status TestOptions::Validate() const {
  if (!(alpha > 0 && alpha < 1)) return InvalidArgument("must be in (0, 1)", "alpha");
  return Status::OK();
}

EffectErrors ComputeEffectErrors(const Moments& c, const Moments& t) {
  EffectErrors e;
  if (c.n <= 0 || t.n <= 0) return e;
  const double vc = c.variance / c.n, vt = t.variance / t.n;  // variances of the means
  e.abs_se = std::sqrt(vc + vt);
  if (c.mean != 0) {
    // Delta method for t/c - 1: Var ≈ Var(t)/c² + t²·Var(c)/c⁴.
    const double c2 = c.mean * c.mean;
    e.rel_se = std::sqrt(vt / c2 + t.mean * t.mean * vc / (c2 * c2));
  }
  if (c.n > 1 && t.n > 1 && vc + vt > 0) {
    e.welch_df = (vc + vt) * (vc + vt) / (vc * vc / (c.n - 1) + vt * vt / (t.n - 1));
  }
  return e;
}

Result<Comparison> CompareMoments(const Moments& c, const Moments& t, bool use_normal,
                                  const TestOptions& options) {
  TAILOR_RETURN_IF_ERROR(options.Validate());
  Comparison r;
  r.control_mean = c.mean;
  r.treatment_mean = t.mean;
  r.abs_lift = t.mean - c.mean;
  if (c.mean != 0) r.rel_lift = t.mean / c.mean - 1;
  const double min_n = use_normal ? 1 : 2;
  if (c.n < min_n || t.n < min_n) {
    r.validity = Validity::kEmptyGroup;
    return r;
  }
  const EffectErrors e = ComputeEffectErrors(c, t);
  if (!(e.abs_se > 0)) {
    r.validity = Validity::kZeroVariance;
    return r;
  }
  const double df = use_normal ? 0 : e.welch_df;
  r.df = df;
  r.statistic = r.abs_lift / e.abs_se;
  switch (options.sided) {
    case Sided::kTwo:
      r.p_value = std::min(1.0, 2 * Sf(std::fabs(r.statistic), use_normal, df));
      break;
    case Sided::kGreater:
      r.p_value = Sf(r.statistic, use_normal, df);
      break;
    case Sided::kLess:
      r.p_value = Sf(-r.statistic, use_normal, df);
      break;
  }
  r.abs_ci = MakeInterval(r.abs_lift, e.abs_se, options.alpha, options.sided, use_normal, df);
  if (r.rel_lift && e.rel_se > 0) {
    r.rel_ci = MakeInterval(*r.rel_lift, e.rel_se, options.alpha, options.sided, use_normal, df);
  }
  return r;
}

Result<Comparison> CompareProportions(const MetricStats& control, const MetricStats& treatment,
                                      const TestOptions& options) {
  TAILOR_RETURN_IF_ERROR(CheckCounts(control, "control", true));
  TAILOR_RETURN_IF_ERROR(CheckCounts(treatment, "treatment", true));
  auto moments = [](const MetricStats& s) {
    const double p = s.Mean();
    return Moments{s.n, p, p * (1 - p)};
  };
  return CompareMoments(moments(control), moments(treatment), /*use_normal=*/true, options);
}

Result<Comparison> WelchTTest(const MetricStats& control, const MetricStats& treatment,
                              const TestOptions& options) {
  TAILOR_RETURN_IF_ERROR(CheckCounts(control, "control", false));
  TAILOR_RETURN_IF_ERROR(CheckCounts(treatment, "treatment", false));
  auto moments = [](const MetricStats& s) { return Moments{s.n, s.Mean(), s.Variance()}; };
  return CompareMoments(moments(control), moments(treatment), /*use_normal=*/false, options);
}

}  // namespace tailor::experiments::stats
