#include "segments/kmeans.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace tailor::segments {

namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr uint32_t kUnassigned = UINT32_MAX;
// Bounds that keep one request's CPU time finite; far above useful values.
constexpr size_t kMaxIterationsCap = 100'000;
constexpr size_t kMaxInitCap = 1'000;

struct Run {
  std::vector<uint32_t> labels;
  Matrix centroids;
  double inertia = 0;
  size_t iterations = 0;
  bool converged = false;
};

// Uniform index in [0, n). The modulo bias is < n / 2^64: irrelevant here.
size_t UniformIndex(Random& random, size_t n) { return static_cast<size_t>(random.Next64() % n); }

// k-means++ (Arthur & Vassilvitskii 2007): each next centre is drawn with probability
// proportional to its squared distance to the nearest centre chosen so far.
Matrix SeedPlusPlus(const Matrix& x, size_t k, Random& random) {
  const Eigen::Index n = x.rows();
  Matrix c(static_cast<Eigen::Index>(k), x.cols());
  c.row(0) = x.row(static_cast<Eigen::Index>(UniformIndex(random, static_cast<size_t>(n))));
  Eigen::VectorXd d2 = (x.rowwise() - c.row(0)).rowwise().squaredNorm();
  for (Eigen::Index j = 1; j < static_cast<Eigen::Index>(k); ++j) {
    double total = d2.sum();
    Eigen::Index pick = 0;
    if (total <= 0) {
      // Every point coincides with a chosen centre (fewer distinct points than k):
      // any point will do; the empty-cluster step separates the duplicates.
      pick = static_cast<Eigen::Index>(UniformIndex(random, static_cast<size_t>(n)));
    } else {
      double r = random.NextDouble() * total;
      pick = -1;
      for (Eigen::Index i = 0; i < n; ++i) {
        if (d2[i] <= 0) continue;
        pick = i;  // rounding can leave r > the running sum: the last positive wins
        r -= d2[i];
        if (r < 0) break;
      }
    }
    c.row(j) = x.row(pick);
    d2 = d2.cwiseMin((x.rowwise() - c.row(j)).rowwise().squaredNorm());
  }
  return c;
}

// E-step: nearest centroid per row; a tie keeps the current label so that Lloyd's
// iteration reaches a fixpoint. Returns true when any label changed.
bool Assign(const Matrix& x, const Matrix& c, std::vector<uint32_t>* labels) {
  bool changed = false;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    uint32_t cur = (*labels)[i];
    uint32_t best = cur;
    double best_d = cur == kUnassigned ? INFINITY : (c.row(cur) - x.row(i)).squaredNorm();
    for (Eigen::Index j = 0; j < c.rows(); ++j) {
      double d = (c.row(j) - x.row(i)).squaredNorm();
      if (d < best_d) {
        best_d = d;
        best = static_cast<uint32_t>(j);
      }
    }
    if (best != cur) {
      (*labels)[i] = best;
      changed = true;
    }
  }
  return changed;
}

// Sets each non-empty cluster's centroid to the mean of its rows (an empty cluster keeps
// its centroid). Returns the cluster sizes.
std::vector<size_t> Recenter(const Matrix& x, const std::vector<uint32_t>& labels, Matrix* c) {
  std::vector<size_t> counts(static_cast<size_t>(c->rows()), 0);
  Matrix sums = Matrix::Zero(c->rows(), c->cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    sums.row(labels[i]) += x.row(i);
    ++counts[labels[i]];
  }
  for (Eigen::Index j = 0; j < c->rows(); ++j) {
    if (counts[j] > 0) c->row(j) = sums.row(j) / static_cast<double>(counts[j]);
  }
  return counts;
}

// M-step plus empty-cluster repair. An empty cluster takes the row farthest from its own
// centroid among clusters that keep at least one row, so with rows >= k every cluster
// ends non-empty. Returns the largest squared centroid move.
double Update(const Matrix& x, std::vector<uint32_t>* labels, Matrix* c) {
  Matrix before = *c;
  std::vector<size_t> counts = Recenter(x, *labels, c);
  bool any_empty = std::find(counts.begin(), counts.end(), size_t{0}) != counts.end();
  if (any_empty) {
    Eigen::VectorXd dist(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i) dist[i] = (x.row(i) - c->row((*labels)[i])).squaredNorm();
    std::vector<bool> moved(static_cast<size_t>(x.rows()), false);
    for (size_t j = 0; j < counts.size(); ++j) {
      if (counts[j] > 0) continue;
      Eigen::Index far = -1;
      for (Eigen::Index i = 0; i < x.rows(); ++i) {
        if (moved[i] || counts[(*labels)[i]] < 2) continue;
        if (far < 0 || dist[i] > dist[far]) far = i;
      }
      if (far < 0) break;  // unreachable when rows >= k
      --counts[(*labels)[far]];
      (*labels)[far] = static_cast<uint32_t>(j);
      counts[j] = 1;
      moved[far] = true;
    }
    Recenter(x, *labels, c);
  }
  return (*c - before).rowwise().squaredNorm().maxCoeff();
}

Run LloydRun(const Matrix& x, const KMeansOptions& o, Random& random) {
  Run run;
  run.centroids = SeedPlusPlus(x, o.k, random);
  run.labels.assign(static_cast<size_t>(x.rows()), kUnassigned);
  for (size_t iter = 1; iter <= o.max_iterations; ++iter) {
    run.iterations = iter;
    if (!Assign(x, run.centroids, &run.labels)) {
      // Centroids were computed from exactly these labels: a Lloyd fixpoint.
      run.converged = true;
      break;
    }
    double shift = Update(x, &run.labels, &run.centroids);
    if (o.tolerance > 0 && shift <= o.tolerance) {
      Assign(x, run.centroids, &run.labels);
      run.converged = true;
      break;
    }
  }
  // Make the centroids the means of the final labels (a no-op after a fixpoint), so the
  // reported inertia is the k-means objective of the returned partition.
  Recenter(x, run.labels, &run.centroids);
  run.inertia = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    run.inertia += (x.row(i) - run.centroids.row(run.labels[i])).squaredNorm();
  }
  return run;
}

}  // namespace

Status KMeansOptions::Validate(size_t rows) const {
  if (k < 1) return InvalidArgument("k must be at least 1", "k");
  if (k > rows) {
    return InvalidArgument("k (" + std::to_string(k) + ") exceeds the number of rows (" +
                               std::to_string(rows) + ")",
                           "k");
  }
  if (max_iterations < 1 || max_iterations > kMaxIterationsCap) {
    return InvalidArgument("must be between 1 and " + std::to_string(kMaxIterationsCap), "max_iterations");
  }
  if (n_init < 1 || n_init > kMaxInitCap) {
    return InvalidArgument("must be between 1 and " + std::to_string(kMaxInitCap), "n_init");
  }
  if (!std::isfinite(tolerance) || tolerance < 0) {
    return InvalidArgument("must be a finite number >= 0", "tolerance");
  }
  return Status::OK();
}

Result<KMeansResult> KMeans(const FeatureMatrix& data, const KMeansOptions& options, Random& random) {
  TAILOR_RETURN_IF_ERROR(options.Validate(data.rows));
  if (data.cols == 0) return InvalidArgument("at least one column is required", "columns");
  if (data.values.size() != data.rows * data.cols) {
    return InvalidArgument("matrix has " + std::to_string(data.values.size()) + " values, expected " +
                           std::to_string(data.rows * data.cols));
  }
  const auto n = static_cast<Eigen::Index>(data.rows);
  const auto d = static_cast<Eigen::Index>(data.cols);

  KMeansResult out;
  out.k = options.k;
  out.rows = data.rows;
  out.cols = data.cols;
  out.features.resize(data.cols);

  // Impute and standardize column by column.
  Matrix x(n, d);
  for (Eigen::Index j = 0; j < d; ++j) {
    FeatureStats& f = out.features[j];
    double sum = 0, first = 0;
    size_t present = 0;
    bool all_equal = true;
    for (Eigen::Index i = 0; i < n; ++i) {
      double v = data.at(i, j);
      if (!std::isfinite(v)) {
        ++f.missing;
        continue;
      }
      if (present == 0) first = v;
      all_equal = all_equal && v == first;
      sum += v;
      ++present;
    }
    if (present == 0) {
      return InvalidArgument("column " + std::to_string(j) + " has no present value",
                             "columns[" + std::to_string(j) + "]");
    }
    // Exact comparison, so a constant column is detected without a rounding threshold.
    f.constant = all_equal;
    f.mean = all_equal ? first : sum / static_cast<double>(present);
    double ss = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      double v = data.at(i, j);
      double dev = std::isfinite(v) ? v - f.mean : 0.0;
      ss += dev * dev;
    }
    f.std = f.constant ? 0.0 : std::sqrt(ss / static_cast<double>(n));
    if (f.std == 0) f.constant = true;  // variance underflow: treat as constant
    for (Eigen::Index i = 0; i < n; ++i) {
      double v = data.at(i, j);
      x(i, j) = f.constant || !std::isfinite(v) ? 0.0 : (v - f.mean) / f.std;
    }
  }

  Run best;
  for (size_t r = 0; r < options.n_init; ++r) {
    Run run = LloydRun(x, options, random);
    if (r == 0 || run.inertia < best.inertia) best = std::move(run);
  }

  // Renumber: descending size, ties by the first row in the cluster.
  std::vector<size_t> sizes(options.k, 0), first_row(options.k, data.rows);
  for (size_t i = 0; i < data.rows; ++i) {
    uint32_t l = best.labels[i];
    ++sizes[l];
    first_row[l] = std::min(first_row[l], i);
  }
  std::vector<uint32_t> order(options.k);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return sizes[a] != sizes[b] ? sizes[a] > sizes[b] : first_row[a] < first_row[b];
  });
  std::vector<uint32_t> new_label(options.k);
  for (uint32_t pos = 0; pos < options.k; ++pos) new_label[order[pos]] = pos;

  out.labels.resize(data.rows);
  for (size_t i = 0; i < data.rows; ++i) out.labels[i] = new_label[best.labels[i]];
  out.sizes.resize(options.k);
  out.centroids.assign(options.k, std::vector<double>(data.cols));
  out.centroids_original.assign(options.k, std::vector<double>(data.cols));
  for (uint32_t pos = 0; pos < options.k; ++pos) {
    uint32_t old = order[pos];
    out.sizes[pos] = sizes[old];
    for (size_t j = 0; j < data.cols; ++j) {
      double z = best.centroids(old, static_cast<Eigen::Index>(j));
      out.centroids[pos][j] = z;
      out.centroids_original[pos][j] = out.features[j].mean + out.features[j].std * z;
    }
  }
  out.inertia = best.inertia;
  out.iterations = best.iterations;
  out.converged = best.converged;
  return out;
}

}  // namespace tailor::segments
