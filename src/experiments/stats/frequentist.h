// Frequentist comparison of a treatment against the control: the two-sample test for
// proportions (z test, unpooled standard error) and Welch's t test for means, one- or
// two-sided, with the absolute lift and its confidence interval, the relative lift
// (treatment / control - 1) and its confidence interval by the delta method, and the
// p-value of the absolute difference. Formulas: docs/experiments.md "Statistics".
//
// Bad input (negative counts, more conversions than units, alpha outside (0, 1)) is an
// error. Degenerate but valid data is not: an empty group or zero variance gives
// validity != kOk, p_value 1 and no intervals, so results never carry NaN.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"
#include "experiments/stats/metric_stats.h"

namespace tailor::experiments::stats {

enum class Sided : uint8_t {
  kTwo,      // H1: treatment != control
  kGreater,  // H1: treatment > control
  kLess,     // H1: treatment < control
};

// "two" | "greater" | "less".
Result<Sided> ParseSided(std::string_view text);
std::string_view SidedName(Sided s);

struct TestOptions {
  double alpha = 0.05;  // significance level; intervals have level 1 - alpha
  Sided sided = Sided::kTwo;

  // OK when 0 < alpha < 1.
  Status Validate() const;
};

// [lower, upper]. One-sided intervals have an infinite bound on the open side.
struct Interval {
  double lower = 0;
  double upper = 0;
};

enum class Validity : uint8_t {
  kOk,
  kEmptyGroup,    // a variation has too few units (proportions: 0; means: < 2)
  kZeroVariance,  // the difference has zero standard error
};

// "ok", "empty_group", "zero_variance".
std::string_view ValidityName(Validity v);

struct Comparison {
  Validity validity = Validity::kOk;
  double control_mean = 0;  // rate for proportions
  double treatment_mean = 0;
  double abs_lift = 0;  // treatment - control
  std::optional<Interval> abs_ci;
  // treatment / control - 1; nullopt when the control mean is 0.
  std::optional<double> rel_lift;
  std::optional<Interval> rel_ci;
  double statistic = 0;  // z or t of the absolute difference
  double df = 0;         // Welch degrees of freedom; 0 for the z test
  double p_value = 1;
};

// Units, mean and unit-level variance of one arm: what the tests consume. CUPED
// (cuped.h) produces adjusted Moments.
struct Moments {
  double n = 0;
  double mean = 0;
  double variance = 0;
};

// Conversions: stats with 0 <= sum <= n (sum = conversions). Variance p(1 - p).
Result<Comparison> CompareProportions(const MetricStats& control, const MetricStats& treatment,
                                      const TestOptions& options = {});

// Means: Welch's unequal-variance t test on the sample variances.
Result<Comparison> WelchTTest(const MetricStats& control, const MetricStats& treatment,
                              const TestOptions& options = {});

// The shared engine: compares two arms given their moments with the normal distribution
// (`use_normal`) or Student's t with Welch–Satterthwaite degrees of freedom.
Result<Comparison> CompareMoments(const Moments& control, const Moments& treatment, bool use_normal,
                                  const TestOptions& options);

// Standard error of the absolute and the (delta-method) relative difference.
struct EffectErrors {
  double abs_se = 0;
  double rel_se = 0;    // 0 when the control mean is 0
  double welch_df = 0;  // 0 when undefined (an arm with n < 2)
};
EffectErrors ComputeEffectErrors(const Moments& control, const Moments& treatment);

}  // namespace tailor::experiments::stats
