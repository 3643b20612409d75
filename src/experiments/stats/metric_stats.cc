#include "experiments/stats/metric_stats.h"

#include <algorithm>

namespace tailor::experiments::stats {

namespace {

// (Σab - Σa·Σb/n) / (n - 1), clamped at 0 for variances (rounding can go slightly below).
double CoMoment(double n, double sum_ab, double sum_a, double sum_b) {
  if (n < 2) return 0;
  return (sum_ab - sum_a * sum_b / n) / (n - 1);
}

}  // namespace

double MetricStats::Variance() const { return std::max(0.0, CoMoment(n, sum_sq, sum, sum)); }
double MetricStats::XVariance() const { return std::max(0.0, CoMoment(n, x_sum_sq, x_sum, x_sum)); }
double MetricStats::Covariance() const { return CoMoment(n, xy_sum, x_sum, sum); }

MetricStats FromConversions(double n, double conversions) {
  MetricStats s;
  s.n = n;
  s.sum = conversions;
  s.sum_sq = conversions;
  return s;
}

MetricStats FromMeanSd(double n, double mean, double sd) {
  MetricStats s;
  s.n = n;
  s.sum = n * mean;
  s.sum_sq = (n > 1 ? sd * sd * (n - 1) : 0) + n * mean * mean;
  return s;
}

}  // namespace tailor::experiments::stats
