// Power and sample-size calculator: units needed per variation (two variations, equal
// split) to detect a relative minimum detectable effect (MDE) with the given power.
//
//   z_a = Φ⁻¹(1 - α/2) two-sided (Φ⁻¹(1 - α) one-sided),  z_b = Φ⁻¹(power)
//   proportions: p1 = baseline, p2 = baseline (1 + mde), p̄ = (p1 + p2)/2
//     n = ( z_a sqrt(2 p̄(1-p̄)) + z_b sqrt(p1(1-p1) + p2(1-p2)) )² / (p2 - p1)²
//   means: δ = mean · mde,   n = 2 (z_a + z_b)² sd² / δ²
// n is rounded up to a whole unit.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "experiments/stats/frequentist.h"

namespace tailor::experiments::stats {

struct PowerOptions {
  double alpha = 0.05;
  double power = 0.8;
  Sided sided = Sided::kTwo;  // kGreater and kLess both mean one-sided

  // OK when alpha and power are in (0, 1).
  Status Validate() const;
};

// Errors: baseline outside (0, 1), mde 0 or non-finite, baseline (1 + mde) outside (0, 1).
Result<int64_t> SampleSizeProportions(double baseline, double relative_mde,
                                      const PowerOptions& options = {});

// Errors: mean 0, sd <= 0, mde 0 or non-finite.
Result<int64_t> SampleSizeMeans(double mean, double sd, double relative_mde,
                                const PowerOptions& options = {});

}  // namespace tailor::experiments::stats
