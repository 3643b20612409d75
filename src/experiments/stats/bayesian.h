// Bayesian comparison of a treatment against the control.
//
// Conversions (Beta-Binomial): each arm's rate has the posterior Beta(a0 + k, b0 + n - k)
// (prior Beta(1, 1) by default). With A the control and B the treatment posterior:
//   chance_to_win = P(B > A)          = ∫ f_A(x) (1 - F_B(x)) dx
//   expected_loss = E[max(A - B, 0)]  = ∫ f_A(x) (x F_B(x) - E[B] F_B⁺(x)) dx
//                   (F_B⁺: cdf of Beta(a_B + 1, b_B); the loss, in rate points, of
//                    shipping the treatment)
//   both integrated numerically (adaptive Gauss–Kronrod over ±12 sd of A).
//   Credible interval of the relative lift (gbstats-style normal approximation of the log
//   rates): ln A ~ N(ψ(a) - ψ(a+b), ψ'(a) - ψ'(a+b)), so ln(B/A) ~ N(m, s²) and the
//   interval is exp(m ± z s) - 1; rel_lift = exp(m + s²/2) - 1.
//
// Means (Gaussian, flat prior): each arm's mean ~ N(ȳ, s²/n), so D = μ_B - μ_A ~ N(d, σ²):
//   chance_to_win = Φ(d/σ);  expected_loss = σ φ(d/σ) - d Φ(-d/σ)  (metric units);
//   relative credible interval by the delta method, rel ± z·se_rel (frequentist.h).
//
// Degenerate data: Gaussian arms with n < 2 give validity kEmptyGroup, chance 0.5, loss
// 0 and no interval; σ = 0 gives chance 1/0/0.5 by the sign of d and loss max(-d, 0).
//
// Thread safety: pure functions.
#pragma once

#include <optional>

#include "core/status.h"
#include "experiments/stats/frequentist.h"
#include "experiments/stats/metric_stats.h"

namespace tailor::experiments::stats {

struct BayesianOptions {
  double ci_level = 0.95;  // credible interval level
  double prior_alpha = 1;  // Beta prior for conversion rates
  double prior_beta = 1;

  // OK when 0 < ci_level < 1 and the prior parameters are > 0.
  Status Validate() const;
};

struct BayesianResult {
  Validity validity = Validity::kOk;
  double chance_to_win = 0.5;
  double expected_loss = 0;          // risk of choosing the treatment
  double expected_loss_control = 0;  // risk of keeping the control
  std::optional<double> rel_lift;    // posterior mean of treatment/control - 1
  std::optional<Interval> rel_ci;    // credible interval of the relative lift
};

Result<BayesianResult> BayesianBinomial(const MetricStats& control, const MetricStats& treatment,
                                        const BayesianOptions& options = {});

Result<BayesianResult> BayesianGaussian(const MetricStats& control, const MetricStats& treatment,
                                        const BayesianOptions& options = {});

}  // namespace tailor::experiments::stats
