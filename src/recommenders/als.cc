// als: implicit-feedback matrix factorization (Hu, Koren, Volinsky 2008) trained by
// alternating least squares with the conjugate-gradient solver of Takacs et al. 2011, as
// in the `implicit` library's `cg` (a few CG steps per row, warm-started from the
// previous factors).
//
// Preference p_ui = 1 for every training entry, confidence c_ui = 1 + alpha * w_ui. Each
// half-step minimizes sum_i c_ui (p_ui - x_u . y_i)^2 + reg |x_u|^2 per user (then per
// item), i.e. solves (Y^T Y + Y^T (C_u - I) Y + reg I) x_u = Y^T C_u p_u. Y^T Y is shared;
// the (C_u - I) part touches only the user's nonzeros, so a CG step costs
// O(f^2 + nnz_u f). Float throughout (as `implicit`), rows contiguous for SIMD.
//
// Serving: a trained user scores with x_u . Y; an unknown user (or one given only a
// history) is folded in by solving the same system exactly (LDLT) against the fitted Y.
// Above hnsw_min_items items, Recommend() uses an HNSW index over Y.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "recommenders/hnsw_index.h"
#include "recommenders/model_blob.h"
#include "recommenders/models.h"
#include "recommenders/parallel.h"
#include "recommenders/params.h"
#include "recommenders/topk.h"

namespace tailor::recommenders {

namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VecMap = Eigen::Map<Eigen::VectorXf>;
using ConstVecMap = Eigen::Map<const Eigen::VectorXf>;

struct Scratch {
  Eigen::VectorXf r, p, ap;
};

// One CG solve of row `x` against `other` (the fixed side) with the row's entries.
void SolveRowCg(const RowMatrixF& other, const Eigen::MatrixXf& gram, std::span<const uint32_t> idx,
                std::span<const float> w, float alpha, int steps, float* x_data, Scratch* s) {
  const Eigen::Index f = other.cols();
  VecMap x(x_data, f);
  Eigen::VectorXf& r = s->r;
  Eigen::VectorXf& p = s->p;
  Eigen::VectorXf& ap = s->ap;
  r.noalias() = -gram * x;
  for (size_t k = 0; k < idx.size(); ++k) {
    ConstVecMap y(other.data() + static_cast<Eigen::Index>(idx[k]) * f, f);
    const float c = 1.0f + alpha * w[k];
    r.noalias() += (c - (c - 1.0f) * y.dot(x)) * y;
  }
  p = r;
  float rsold = r.squaredNorm();
  if (rsold < 1e-20f) return;
  for (int it = 0; it < steps; ++it) {
    ap.noalias() = gram * p;
    for (size_t k = 0; k < idx.size(); ++k) {
      ConstVecMap y(other.data() + static_cast<Eigen::Index>(idx[k]) * f, f);
      ap.noalias() += (alpha * w[k] * y.dot(p)) * y;
    }
    const float denom = p.dot(ap);
    if (!(denom > 0)) return;
    const float a = rsold / denom;
    x.noalias() += a * p;
    r.noalias() -= a * ap;
    const float rsnew = r.squaredNorm();
    if (rsnew < 1e-20f) return;
    p = r + (rsnew / rsold) * p;
    rsold = rsnew;
  }
}

class Als final : public Recommender {
 public:
  std::string_view name() const override { return "als"; }

  Status Parse(const ModelParams& params) {
    ParamReader r("als", params);
    r.Int("factors", 1, 1024, &factors_);
    r.Int("iterations", 1, 1000, &iterations_);
    r.Double("regularization", 0, 1e6, &regularization_);
    r.Double("alpha", 0, 1e6, &alpha_);
    r.Int("cg_steps", 1, 100, &cg_steps_);
    r.Bool("binary", &binary_);
    r.Int("hnsw_min_items", 0, INT64_MAX, &hnsw_min_items_);
    return r.Finish();
  }

  Status Fit(const Interactions& train, const TrainOptions& options,
             const ProgressFn& progress) override {
    TAILOR_RETURN_IF_ERROR(options.Validate());
    const auto nu = static_cast<Eigen::Index>(train.num_users());
    const auto ni = static_cast<Eigen::Index>(train.num_items());
    const auto f = static_cast<Eigen::Index>(factors_);
    if (train.nnz() == 0) return InvalidArgument("empty training set", "als");
    if (!binary_) {
      for (uint32_t u = 0; u < nu; ++u) {
        for (float w : train.UserWeights(u)) {
          if (!(w >= 0)) {
            return InvalidArgument(
                "als needs non-negative weights (confidence 1 + alpha * w); "
                "found " +
                    std::to_string(w) + " for user " + train.users().Id(u) +
                    " (use --binary or --min-value)",
                "als");
          }
        }
      }
    }
    // Same initialization as `implicit`: uniform [0, 0.01).
    std::mt19937_64 rng(options.seed);
    std::uniform_real_distribution<float> uni(0.0f, 0.01f);
    x_.resize(nu, f);
    y_.resize(ni, f);
    for (Eigen::Index i = 0; i < x_.size(); ++i) x_.data()[i] = uni(rng);
    for (Eigen::Index i = 0; i < y_.size(); ++i) y_.data()[i] = uni(rng);

    // Binary mode: every weight 1, shared buffer of ones sized to the longest row.
    size_t longest = 0;
    for (uint32_t u = 0; u < nu; ++u) longest = std::max(longest, train.UserItems(u).size());
    for (uint32_t i = 0; i < ni; ++i) longest = std::max(longest, train.ItemUsers(i).size());
    std::vector<float> ones(binary_ ? longest : 0, 1.0f);
    const auto alpha = static_cast<float>(alpha_);
    std::vector<Scratch> scratch(static_cast<size_t>(options.threads));
    for (auto& s : scratch) {
      s.r.resize(f);
      s.p.resize(f);
      s.ap.resize(f);
    }
    auto half_step = [&](RowMatrixF& solve, const RowMatrixF& fixed, bool users) {
      Eigen::MatrixXf gram = fixed.transpose() * fixed;
      gram.diagonal().array() += static_cast<float>(regularization_);
      ParallelFor(static_cast<size_t>(solve.rows()), options.threads, 256,
                  [&](size_t begin, size_t end, int worker) {
                    for (size_t row = begin; row < end; ++row) {
                      auto r32 = static_cast<uint32_t>(row);
                      auto idx = users ? train.UserItems(r32) : train.ItemUsers(r32);
                      auto w = users ? train.UserWeights(r32) : train.ItemWeights(r32);
                      if (binary_) w = std::span<const float>(ones.data(), idx.size());
                      SolveRowCg(fixed, gram, idx, w, alpha, static_cast<int>(cg_steps_),
                                 solve.data() + static_cast<Eigen::Index>(row) * f,
                                 &scratch[static_cast<size_t>(worker)]);
                    }
                  });
    };
    for (int64_t it = 0; it < iterations_; ++it) {
      half_step(x_, y_, true);
      half_step(y_, x_, false);
      if (progress) progress("als", static_cast<double>(it + 1) / static_cast<double>(iterations_));
    }
    gram_ = y_.transpose() * y_;
    gram_.diagonal().array() += static_cast<float>(regularization_);
    item_norms_ = y_.rowwise().norm();
    seed_ = options.seed;
    return BuildServing(options.threads);
  }

  // The scorer over Y and, above hnsw_min_items, the HNSW index.
  Status BuildServing(int threads) {
    const auto ni = static_cast<size_t>(y_.rows());
    const auto f = static_cast<size_t>(y_.cols());
    scorer_.Reset(std::span<const float>(y_.data(), static_cast<size_t>(y_.size())), ni, f);
    use_hnsw_ = false;
    if (hnsw_min_items_ > 0 && ni >= static_cast<size_t>(hnsw_min_items_)) {
      HnswOptions ho;
      ho.seed = seed_;
      ho.threads = threads;
      TAILOR_RETURN_IF_ERROR(
          hnsw_.Build(std::span<const float>(y_.data(), static_cast<size_t>(y_.size())), ni, f, ho));
      use_hnsw_ = true;
    }
    return Status::OK();
  }

  // The user's vector: trained, or folded in from the query's history.
  Eigen::VectorXf UserVector(const UserQuery& query) const {
    if (query.user != kNoIndex) return x_.row(query.user).transpose();
    const Eigen::Index f = y_.cols();
    Eigen::MatrixXf a = gram_;
    Eigen::VectorXf b = Eigen::VectorXf::Zero(f);
    for (size_t k = 0; k < query.items.size(); ++k) {
      const float w = binary_ || query.weights.empty() ? 1.0f : query.weights[k];
      const float c = 1.0f + static_cast<float>(alpha_) * w;
      auto y = y_.row(query.items[k]).transpose();
      a.noalias() += (c - 1.0f) * y * y.transpose();
      b.noalias() += c * y;
    }
    if (query.items.empty()) return b;  // no signal: all-zero scores
    return a.ldlt().solve(b);
  }

  Status Score(const UserQuery& query, std::span<float> scores) const override {
    TAILOR_RETURN_IF_ERROR(
        ValidateQuery(query, static_cast<size_t>(y_.rows()), static_cast<size_t>(x_.rows())));
    Eigen::VectorXf u = UserVector(query);
    scorer_.ScoreAll(std::span<const float>(u.data(), static_cast<size_t>(u.size())), scores);
    return Status::OK();
  }

  Result<std::vector<ScoredItem>> SimilarItems(uint32_t item, size_t k) const override {
    if (item >= num_items()) return NotFound("unknown item index " + std::to_string(item));
    std::vector<float> scores(num_items());
    Eigen::VectorXf q = y_.row(item).transpose();
    scorer_.ScoreAll(std::span<const float>(q.data(), static_cast<size_t>(q.size())), scores);
    const float qn = item_norms_[item];
    for (size_t i = 0; i < scores.size(); ++i) {
      const float d = qn * item_norms_[static_cast<Eigen::Index>(i)];
      scores[i] = d > 0 ? scores[i] / d : 0.0f;
    }
    scores[item] = -std::numeric_limits<float>::infinity();
    return TopK(scores, k);
  }

  size_t EstimateFitBytes(size_t users, size_t items, size_t, int threads) const override {
    // X and Y (float), a second copy of Y for serving (FactorScorer), the gram and
    // per-thread CG vectors.
    const size_t f = static_cast<size_t>(factors_);
    return 4 * f * (users + 2 * items) + 4 * f * f * 2 + 12 * f * static_cast<size_t>(threads) +
           4 * items;
  }

  std::string ParamsJson() const override {
    return ParamsJsonWriter()
        .Add("factors", factors_)
        .Add("iterations", iterations_)
        .Add("regularization", regularization_)
        .Add("alpha", alpha_)
        .Add("cg_steps", cg_steps_)
        .Add("binary", binary_)
        .Add("hnsw_min_items", hnsw_min_items_)
        .Done();
  }
  size_t MemoryBytes() const override {
    return static_cast<size_t>(x_.size() + y_.size() + gram_.size() + item_norms_.size()) *
               sizeof(float) +
           scorer_.MemoryBytes() + hnsw_.MemoryBytes();
  }
  size_t num_items() const override { return static_cast<size_t>(y_.rows()); }

  // Payload: params (i64 factors, iterations, cg_steps, hnsw_min_items; f64
  // regularization, alpha; u8 binary), u64 seed of the HNSW build, u64 users, items and
  // factors, then X (users x f), Y (items x f), the fold-in Gram matrix (f x f) and the
  // item norms, all f32. The HNSW index, when used, is rebuilt from Y with the same seed.
  Result<std::string> Serialize() const override {
    if (y_.rows() == 0) return FailedPrecondition("als: model is not trained");
    BlobWriter w(name());
    w.Put<int64_t>(factors_);
    w.Put<int64_t>(iterations_);
    w.Put<int64_t>(cg_steps_);
    w.Put<int64_t>(hnsw_min_items_);
    w.Put<double>(regularization_);
    w.Put<double>(alpha_);
    w.Put<uint8_t>(binary_ ? 1 : 0);
    w.Put<uint64_t>(seed_);
    w.Put<uint64_t>(static_cast<uint64_t>(x_.rows()));
    w.Put<uint64_t>(static_cast<uint64_t>(y_.rows()));
    w.Put<uint64_t>(static_cast<uint64_t>(y_.cols()));
    w.Array(x_.data(), static_cast<size_t>(x_.size()));
    w.Array(y_.data(), static_cast<size_t>(y_.size()));
    w.Array(gram_.data(), static_cast<size_t>(gram_.size()));
    w.Array(item_norms_.data(), static_cast<size_t>(item_norms_.size()));
    return std::move(w).Finish();
  }
  Status Deserialize(std::string_view data) override {
    BlobReader r(data);
    TAILOR_RETURN_IF_ERROR(r.Header(name()));
    const Status bad = Corruption("als: model data truncated or malformed");
    int64_t factors = 0, iterations = 0, cg_steps = 0, hnsw_min = 0;
    double reg = 0, alpha = 0;
    uint8_t binary = 0;
    uint64_t seed = 0, nu = 0, ni = 0, f = 0;
    if (!r.Get(&factors) || !r.Get(&iterations) || !r.Get(&cg_steps) || !r.Get(&hnsw_min) ||
        !r.Get(&reg) || !r.Get(&alpha) || !r.Get(&binary) || binary > 1 || !r.Get(&seed) ||
        !r.Get(&nu) || !r.Get(&ni) || !r.Get(&f))
      return bad;
    // Every dimension bounded by the data size before anything is allocated.
    const uint64_t floats = data.size() / sizeof(float);
    if (ni == 0 || ni >= UINT32_MAX || nu >= UINT32_MAX || f == 0 || f > 1024 ||
        static_cast<uint64_t>(factors) != f || nu > floats / f || ni > floats / f)
      return bad;
    RowMatrixF x(static_cast<Eigen::Index>(nu), static_cast<Eigen::Index>(f));
    RowMatrixF y(static_cast<Eigen::Index>(ni), static_cast<Eigen::Index>(f));
    Eigen::MatrixXf gram(static_cast<Eigen::Index>(f), static_cast<Eigen::Index>(f));
    Eigen::VectorXf norms(static_cast<Eigen::Index>(ni));
    if (!r.ArrayInto(x.data(), nu * f) || !r.ArrayInto(y.data(), ni * f) ||
        !r.ArrayInto(gram.data(), f * f) || !r.ArrayInto(norms.data(), ni) || !r.AtEnd())
      return bad;
    factors_ = factors;
    iterations_ = iterations;
    cg_steps_ = cg_steps;
    hnsw_min_items_ = hnsw_min;
    regularization_ = reg;
    alpha_ = alpha;
    binary_ = binary == 1;
    seed_ = seed;
    x_ = std::move(x);
    y_ = std::move(y);
    gram_ = std::move(gram);
    item_norms_ = std::move(norms);
    return BuildServing(/*threads=*/1);
  }

 private:
  int64_t factors_ = 64;          // latent dimensions
  int64_t iterations_ = 15;       // ALS sweeps (users then items)
  double regularization_ = 20.0;  // L2 on every factor row (tuned on ML-100k; scale with data)
  double alpha_ = 0.25;   // confidence slope: c = 1 + alpha * weight (ML-100k: ratings as weights)
  int64_t cg_steps_ = 3;  // CG steps per row per sweep (implicit's default)
  bool binary_ = false;   // weight 1 for every entry
  int64_t hnsw_min_items_ = 50'000;  // build an HNSW index at or above this many items; 0 = never

  RowMatrixF x_, y_;
  Eigen::MatrixXf gram_;  // Y^T Y + reg I, for fold-in
  Eigen::VectorXf item_norms_;
  FactorScorer scorer_;
  HnswIndex hnsw_;
  bool use_hnsw_ = false;
  uint64_t seed_ = 42;  // training seed, reused to rebuild the HNSW index at load

 public:
  Result<std::vector<ScoredItem>> Recommend(const UserQuery& query,
                                            const RecommendOptions& options) const override {
    TAILOR_RETURN_IF_ERROR(
        ValidateQuery(query, static_cast<size_t>(y_.rows()), static_cast<size_t>(x_.rows())));
    Eigen::VectorXf u = UserVector(query);
    std::vector<uint32_t> seen(query.items.begin(), query.items.end());
    std::sort(seen.begin(), seen.end());
    ItemFilter keep = [&](uint32_t item) {
      if (options.exclude_seen && std::binary_search(seen.begin(), seen.end(), item)) return false;
      return !options.filter || options.filter(item);
    };
    std::span<const float> uq(u.data(), static_cast<size_t>(u.size()));
    if (use_hnsw_) return hnsw_.Search(uq, options.k, keep);
    return scorer_.TopKFor(uq, options.k, keep);
  }
};

}  // namespace

Result<std::unique_ptr<Recommender>> NewAls(const ModelParams& params) {
  auto m = std::make_unique<Als>();
  TAILOR_RETURN_IF_ERROR(m->Parse(params));
  return std::unique_ptr<Recommender>(std::move(m));
}

}  // namespace tailor::recommenders
