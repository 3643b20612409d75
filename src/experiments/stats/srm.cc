#include "experiments/stats/srm.h"

#include <cmath>
#include <string>

#include "experiments/stats/distributions.h"

namespace tailor::experiments::stats {

Result<SrmResult> SampleRatioMismatch(std::span<const double> observed,
                                      std::span<const double> weights) {
  const size_t k = observed.size();
  if (k < 2) return InvalidArgument("need at least two variations", "observed");
  if (!weights.empty() && weights.size() != k) {
    return InvalidArgument("has " + std::to_string(weights.size()) + " entries for " +
                               std::to_string(k) + " variations",
                           "weights");
  }
  double total = 0, weight_sum = 0;
  for (size_t i = 0; i < k; ++i) {
    if (!(observed[i] >= 0) || !std::isfinite(observed[i])) {
      return InvalidArgument("must be finite and >= 0", "observed[" + std::to_string(i) + "]");
    }
    const double w = weights.empty() ? 1 : weights[i];
    if (!(w > 0) || !std::isfinite(w)) {
      return InvalidArgument("must be finite and > 0", "weights[" + std::to_string(i) + "]");
    }
    total += observed[i];
    weight_sum += w;
  }
  SrmResult r;
  r.df = static_cast<double>(k - 1);
  if (total <= 0) return r;
  for (size_t i = 0; i < k; ++i) {
    const double expected = total * (weights.empty() ? 1 : weights[i]) / weight_sum;
    const double d = observed[i] - expected;
    r.chi_squared += d * d / expected;
  }
  r.p_value = ChiSquaredSf(r.chi_squared, r.df);
  return r;
}

}  // namespace tailor::experiments::stats
