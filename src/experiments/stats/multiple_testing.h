// Multiple-comparison corrections for many variations or metrics: adjusted p-values, to
// be compared with the unchanged alpha.
//
//   Holm (1979), controls the family-wise error rate: sort p ascending;
//     adj_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))
//   Benjamini–Hochberg (1995), controls the false discovery rate: sort ascending;
//     adj_(i) = min_{j >= i} min(1, m p_(j) / j)
// Results are returned in the input order (same as statsmodels' multipletests).
//
// Thread safety: pure functions.
#pragma once

#include <span>
#include <vector>

#include "core/status.h"

namespace tailor::experiments::stats {

// Errors: a p-value outside [0, 1] or NaN (kInvalidArgument naming its index).
Result<std::vector<double>> HolmAdjust(std::span<const double> p_values);
Result<std::vector<double>> BenjaminiHochbergAdjust(std::span<const double> p_values);

}  // namespace tailor::experiments::stats
