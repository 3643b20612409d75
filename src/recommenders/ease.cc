// ease: Embarrassingly Shallow Autoencoder (Steck, WWW 2019). Closed form:
//   G = X^T X + lambda I,  P = G^-1,  B_ij = -P_ij / P_jj (i != j),  B_jj = 0,
// and a user's scores are x_u B (x_u: the history row). Only items with at least one
// training interaction enter the matrix. Cost: O(n^3) time and 8 n^2 bytes while
// training (n = active items; float, 12 n^2 with double_precision), 4 n^2 bytes for the
// fitted B; so the model refuses catalogs above max_items with kResourceExhausted.
// Float gives the same lists as double on MovieLens 100k at half the time and memory.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string>

#include "recommenders/model_blob.h"
#include "recommenders/models.h"
#include "recommenders/parallel.h"
#include "recommenders/params.h"
#include "recommenders/spd_inverse.h"

namespace tailor::recommenders {

namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class Ease final : public Recommender {
 public:
  std::string_view name() const override { return "ease"; }

  Status Parse(const ModelParams& params) {
    ParamReader r("ease", params);
    r.Double("lambda", 1e-6, 1e9, &lambda_);
    r.Int("max_items", 1, 200'000, &max_items_);
    r.Bool("binary", &binary_);
    r.Bool("double_precision", &double_precision_);
    return r.Finish();
  }

  Status Fit(const Interactions& train, const TrainOptions& options,
             const ProgressFn& progress) override {
    TAILOR_RETURN_IF_ERROR(options.Validate());
    num_items_ = train.num_items();
    dense_.assign(num_items_, -1);
    active_.clear();
    for (uint32_t i = 0; i < num_items_; ++i) {
      if (!train.ItemUsers(i).empty()) {
        dense_[i] = static_cast<int32_t>(active_.size());
        active_.push_back(i);
      }
    }
    const auto n = static_cast<Eigen::Index>(active_.size());
    if (n == 0) return InvalidArgument("empty training set", "ease");
    if (active_.size() > static_cast<size_t>(max_items_)) {
      // Peak: the inverse in place plus a quarter for X, then B (float) beside it.
      const double bytes = double_precision_ ? 12.0 : 8.0;
      double gb = bytes * static_cast<double>(n) * static_cast<double>(n) / 1e9;
      return ResourceExhausted(
          "ease: " + std::to_string(active_.size()) +
          " items with interactions exceed ease.max_items=" + std::to_string(max_items_) +
          " (training would need about " + std::to_string(static_cast<int>(std::ceil(gb))) +
          " GB and O(n^3) time); use als or itemknn, or raise the limit");
    }
    Status st = double_precision_ ? Solve<double>(train, options.threads, progress)
                                  : Solve<float>(train, options.threads, progress);
    if (!st.ok()) return st;
    if (progress) progress("ease", 1.0);
    return Status::OK();
  }

  size_t EstimateFitBytes(size_t, size_t items, size_t, int) const override {
    // Solve's peak (below): 1.25 n x n of S while inverting, then n x n of S + B (float).
    const double n2 = static_cast<double>(items) * static_cast<double>(items);
    const double s = double_precision_ ? 8.0 : 4.0;
    return static_cast<size_t>(std::max(1.25 * s, s + 4.0) * n2) + items * 8;
  }

  // Gram matrix, inverse and B in precision S. Peak memory: 1.25 n x n matrices of S
  // while inverting, then one of S plus B (float).
  template <typename S>
  Status Solve(const Interactions& train, int threads, const ProgressFn& progress) {
    using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
    const auto n = static_cast<Eigen::Index>(active_.size());
    Matrix g = Matrix::Zero(n, n);
    std::vector<int32_t> cols;
    std::vector<S> vals;
    for (uint32_t u = 0; u < train.num_users(); ++u) {
      auto items = train.UserItems(u);
      auto weights = train.UserWeights(u);
      cols.clear();
      vals.clear();
      for (size_t k = 0; k < items.size(); ++k) {
        cols.push_back(dense_[items[k]]);
        vals.push_back(binary_ ? S{1} : static_cast<S>(weights[k]));
      }
      for (size_t a = 0; a < cols.size(); ++a) {
        S* col = g.col(cols[a]).data();  // column-major: column cols[a]
        for (size_t b = 0; b < cols.size(); ++b) col[cols[b]] += vals[a] * vals[b];
      }
      if (progress && (u & 1023) == 0) progress("ease gram", 0.2 * u / train.num_users());
    }
    g.diagonal().array() += static_cast<S>(lambda_);
    if (progress) progress("ease inverse", 0.2);
    if (!SpdInverse<S>(g, threads)) {
      return Internal("ease: Gram matrix is not positive definite (raise ease.lambda)");
    }
    const Matrix& p = g;
    if (progress) progress("ease inverse", 0.9);
    b_.resize(n, n);  // B_ij = -P_ij / P_jj
    for (Eigen::Index j = 0; j < n; ++j) {
      const S d = p(j, j);
      for (Eigen::Index i = 0; i < n; ++i) b_(i, j) = static_cast<float>(-p(i, j) / d);
      b_(j, j) = 0.0f;
    }
    return Status::OK();
  }

  Status Score(const UserQuery& query, std::span<float> scores) const override {
    TAILOR_RETURN_IF_ERROR(ValidateQuery(query, num_items_, 0));
    Eigen::VectorXf acc = Eigen::VectorXf::Zero(b_.cols());
    for (size_t k = 0; k < query.items.size(); ++k) {
      int32_t d = dense_[query.items[k]];
      if (d < 0) continue;  // an item without training interactions carries no signal
      float w = binary_ || query.weights.empty() ? 1.0f : query.weights[k];
      acc.noalias() += w * b_.row(d).transpose();
    }
    std::fill(scores.begin(), scores.end(), 0.0f);
    for (size_t a = 0; a < active_.size(); ++a)
      scores[active_[a]] = acc[static_cast<Eigen::Index>(a)];
    return Status::OK();
  }

  std::string ParamsJson() const override {
    return ParamsJsonWriter()
        .Add("lambda", lambda_)
        .Add("max_items", max_items_)
        .Add("binary", binary_)
        .Add("double_precision", double_precision_)
        .Done();
  }
  size_t MemoryBytes() const override {
    return static_cast<size_t>(b_.size()) * sizeof(float) + dense_.size() * 4 + active_.size() * 4;
  }
  size_t num_items() const override { return num_items_; }

  // Payload: params (f64 lambda, i64 max_items, u8 binary, u8 double_precision), u64
  // num_items, the active items (row of B -> item index, increasing) and B (n x n floats,
  // row-major).
  Result<std::string> Serialize() const override {
    if (num_items_ == 0) return FailedPrecondition("ease: model is not trained");
    BlobWriter w(name());
    w.Put<double>(lambda_);
    w.Put<int64_t>(max_items_);
    w.Put<uint8_t>(binary_ ? 1 : 0);
    w.Put<uint8_t>(double_precision_ ? 1 : 0);
    w.Put<uint64_t>(num_items_);
    w.Array(active_);
    w.Array(b_.data(), static_cast<size_t>(b_.size()));
    return std::move(w).Finish();
  }
  Status Deserialize(std::string_view data) override {
    BlobReader r(data);
    TAILOR_RETURN_IF_ERROR(r.Header(name()));
    const Status bad = Corruption("ease: model data truncated or malformed");
    double lambda = 0;
    int64_t max_items = 0;
    uint8_t binary = 0, dp = 0;
    uint64_t ni = 0;
    std::vector<uint32_t> active;
    if (!r.Get(&lambda) || !r.Get(&max_items) || !r.Get(&binary) || binary > 1 || !r.Get(&dp) ||
        dp > 1 || !r.Get(&ni) || ni == 0 || ni >= UINT32_MAX || !r.Array(&active) ||
        active.empty() || active.size() > ni)
      return bad;
    for (size_t a = 0; a < active.size(); ++a) {
      if (active[a] >= ni || (a > 0 && active[a] <= active[a - 1])) return bad;
    }
    const auto n = static_cast<Eigen::Index>(active.size());
    const uint64_t cells = static_cast<uint64_t>(n) * static_cast<uint64_t>(n);
    if (cells / static_cast<uint64_t>(n) != static_cast<uint64_t>(n)) return bad;
    // Size check before allocating n x n (ArrayInto checks the exact count after).
    if (cells > data.size() / sizeof(float)) return bad;
    RowMatrixF b(n, n);
    if (!r.ArrayInto(b.data(), cells) || !r.AtEnd()) return bad;
    lambda_ = lambda;
    max_items_ = max_items;
    binary_ = binary == 1;
    double_precision_ = dp == 1;
    num_items_ = ni;
    active_ = std::move(active);
    dense_.assign(num_items_, -1);
    for (size_t a = 0; a < active_.size(); ++a) dense_[active_[a]] = static_cast<int32_t>(a);
    b_ = std::move(b);
    return Status::OK();
  }

 private:
  // L2 regularization of B. Larger = smoother, more popular-leaning lists. ~200-500 suits
  // MovieLens-100k-sized data; scale it with the number of interactions per item.
  double lambda_ = 400.0;
  // Refuse to train above this many items with interactions (memory 8 n^2 bytes).
  int64_t max_items_ = 20'000;
  // Treat every interaction as weight 1 (ignore ratings/event weights).
  bool binary_ = true;
  // Invert in double (twice the memory and about twice the time of float).
  bool double_precision_ = false;

  size_t num_items_ = 0;
  std::vector<int32_t> dense_;    // item -> row of B, -1 when inactive
  std::vector<uint32_t> active_;  // row of B -> item
  RowMatrixF b_;
};

}  // namespace

Result<std::unique_ptr<Recommender>> NewEase(const ModelParams& params) {
  auto m = std::make_unique<Ease>();
  TAILOR_RETURN_IF_ERROR(m->Parse(params));
  return std::unique_ptr<Recommender>(std::move(m));
}

}  // namespace tailor::recommenders
