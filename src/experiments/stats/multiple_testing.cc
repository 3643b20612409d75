#include "experiments/stats/multiple_testing.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace tailor::experiments::stats {

namespace {

// Indices of `p` sorted by ascending p-value (stable, so ties keep input order).
Result<std::vector<size_t>> SortedOrder(std::span<const double> p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      return InvalidArgument("p-value must be in [0, 1]", "p_values[" + std::to_string(i) + "]");
    }
  }
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  return order;
}

}  // namespace

Result<std::vector<double>> HolmAdjust(std::span<const double> p) {
  TAILOR_ASSIGN_OR_RETURN(std::vector<size_t> order, SortedOrder(p));
  const double m = static_cast<double>(p.size());
  std::vector<double> out(p.size());
  double running = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    running = std::max(running, std::min(1.0, (m - rank) * p[order[rank]]));
    out[order[rank]] = running;
  }
  return out;
}

Result<std::vector<double>> BenjaminiHochbergAdjust(std::span<const double> p) {
  TAILOR_ASSIGN_OR_RETURN(std::vector<size_t> order, SortedOrder(p));
  const double m = static_cast<double>(p.size());
  std::vector<double> out(p.size());
  double running = 1;
  for (size_t rank = order.size(); rank-- > 0;) {
    running = std::min(running, std::min(1.0, m * p[order[rank]] / (rank + 1)));
    out[order[rank]] = running;
  }
  return out;
}

}  // namespace tailor::experiments::stats
