// MetricStats: the per-variation sufficient statistics every test in stats/ reads.
//
// They are sums, so they can be kept incrementally (one Add per unit, or Merge of two
// partial aggregates) and a result is computed from them without rescanning events:
// n units, Σy, Σy² of the metric and, for CUPED, Σx, Σx², Σxy of a pre-exposure
// covariate x. A conversion metric is y ∈ {0, 1} (sum = sum_sq = conversions).
//
// Thread safety: a plain value.
#pragma once

namespace tailor::experiments::stats {

struct MetricStats {
  double n = 0;         // units (users) in the variation
  double sum = 0;       // Σ y
  double sum_sq = 0;    // Σ y²
  double x_sum = 0;     // Σ x   (pre-exposure covariate; 0 when unused)
  double x_sum_sq = 0;  // Σ x²
  double xy_sum = 0;    // Σ x·y

  void Add(double y) { Add(y, 0); }
  void Add(double y, double x) {
    n += 1, sum += y, sum_sq += y * y, x_sum += x, x_sum_sq += x * x, xy_sum += x * y;
  }
  void Merge(const MetricStats& o) {
    n += o.n, sum += o.sum, sum_sq += o.sum_sq, x_sum += o.x_sum, x_sum_sq += o.x_sum_sq,
        xy_sum += o.xy_sum;
  }

  // ȳ; 0 when n == 0.
  double Mean() const { return n > 0 ? sum / n : 0; }
  // Sample variance of y (denominator n - 1), never negative; 0 when n < 2.
  double Variance() const;
  // The same for x, and the sample covariance of x and y.
  double XMean() const { return n > 0 ? x_sum / n : 0; }
  double XVariance() const;
  double Covariance() const;
};

// A conversion metric: `conversions` of `n` units converted.
MetricStats FromConversions(double n, double conversions);

// A mean metric given by its summary: n units with mean `mean` and sample standard
// deviation `sd` (denominator n - 1).
MetricStats FromMeanSd(double n, double mean, double sd);

}  // namespace tailor::experiments::stats
