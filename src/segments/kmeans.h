// K-means clustering for discovered segments (`tailor cluster`, POST /v1/segments/cluster).
//
// The pure algorithm: a dense matrix in (rows = profiles, columns = features), labels
// and a report out. No storage, JSON or HTTP here; the handler builds the matrix from
// profile documents and writes the labels back as a trait.
//
// Steps:
//   1. Missing cells (kMissing, or any non-finite value) are imputed with the mean of
//      the column's present values and counted per column.
//   2. Every column is standardized to a z-score with the population standard deviation
//      (ddof 0) of the imputed column. A zero-variance column is kept at 0 (it cannot
//      move a distance) and reported in FeatureStats::constant.
//   3. k-means++ seeding (D^2 sampling) from the injected Random, then Lloyd iterations
//      until no assignment changes (or the centroid shift is <= tolerance, or
//      max_iterations). A cluster that runs empty is re-seeded with the point farthest
//      from its centroid (taken from a cluster with more than one point).
//   4. n_init independent restarts; the run with the lowest inertia wins (first on ties).
//   5. Labels are renumbered by descending cluster size (ties: first row seen), so label
//      0 is the largest cluster and output does not depend on seeding order.
//
// Determinism: for the same input, options and Random sequence the result is identical.
// Cost: O(n_init * iterations * rows * k * cols) time, O(rows * cols) extra memory.
//
// Thread safety: KMeans() is a pure function; the Random is the only shared state it
// touches (Random implementations are internally locked).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/random.h"
#include "core/status.h"

namespace tailor::segments {

// The value of a missing cell.
inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// A dense row-major matrix: rows = observations (profiles), cols = features.
struct FeatureMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<double> values;  // rows * cols, row-major; kMissing / non-finite = missing

  FeatureMatrix() = default;
  FeatureMatrix(size_t r, size_t c) : rows(r), cols(c), values(r * c, kMissing) {}
  double& at(size_t r, size_t c) { return values[r * cols + c]; }
  double at(size_t r, size_t c) const { return values[r * cols + c]; }
};

struct KMeansOptions {
  // Number of clusters. 1 <= k <= rows.
  size_t k = 2;
  // Lloyd iterations per run, at least 1. Runs that hit the cap report converged=false.
  size_t max_iterations = 300;
  // Independent k-means++ restarts, at least 1; the lowest inertia wins. More restarts
  // lower the chance of a poor local optimum at proportional cost.
  size_t n_init = 10;
  // A run also stops when the largest squared centroid move (standardized units) is at
  // most this. 0 = stop only when assignments stop changing (exact Lloyd fixpoint).
  double tolerance = 0.0;

  // Checks the fields against a matrix with `rows` rows. Errors are kInvalidArgument
  // with the field name as path ("k", "max_iterations", "n_init", "tolerance").
  Status Validate(size_t rows) const;
};

// Per-column statistics (original units).
struct FeatureStats {
  double mean = 0;       // of the present values (also the imputed value)
  double std = 0;        // population std of the imputed column; 0 for a constant column
  size_t missing = 0;    // cells imputed
  bool constant = false; // zero variance: standardized to 0, no influence on clustering
};

struct KMeansResult {
  size_t k = 0;
  size_t rows = 0;
  size_t cols = 0;
  std::vector<uint32_t> labels;                        // per row, in [0, k)
  std::vector<size_t> sizes;                           // per cluster; descending
  std::vector<std::vector<double>> centroids;          // [k][cols], standardized units
  std::vector<std::vector<double>> centroids_original; // [k][cols], original units
  std::vector<FeatureStats> features;                  // [cols]
  double inertia = 0;        // sum of squared standardized distances to own centroid
  size_t iterations = 0;     // Lloyd iterations of the winning run
  bool converged = false;    // the winning run stopped before max_iterations
};

// Clusters the rows of `data`. Fails with kInvalidArgument when the options are invalid
// for `data` (see KMeansOptions::Validate), when `data` has no columns or its value
// count is not rows * cols, or when a column has no present value (path "columns[j]").
// Draws only from `random`.
Result<KMeansResult> KMeans(const FeatureMatrix& data, const KMeansOptions& options,
                            Random& random);

}  // namespace tailor::segments
