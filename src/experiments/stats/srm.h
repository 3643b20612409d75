// Sample ratio mismatch: Pearson's chi-squared goodness-of-fit test of the observed units
// per variation against the configured weights. A tiny p-value (gbstats flags < 0.001)
// means assignment or exposure logging is broken and the results cannot be trusted.
//
//   E_i = N · w_i / Σw,   χ² = Σ (O_i - E_i)² / E_i,   p = P(χ²_{k-1} > χ²)
//
// Thread safety: pure functions.
#pragma once

#include <span>

#include "core/status.h"

namespace tailor::experiments::stats {

struct SrmResult {
  double chi_squared = 0;
  double df = 0;
  double p_value = 1;  // 1 when no unit was observed
};

// `observed` units per variation (>= 0, finite); `weights` (> 0, same length; need not
// sum to 1). Empty `weights` means equal weights. At least two variations.
Result<SrmResult> SampleRatioMismatch(std::span<const double> observed,
                                      std::span<const double> weights = {});

}  // namespace tailor::experiments::stats
