#include "recommenders/topk.h"

#include <immintrin.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace tailor::recommenders {

namespace {

// "a ranks before b": higher score, then lower index.
bool Better(const ScoredItem& a, const ScoredItem& b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

}  // namespace

std::vector<ScoredItem> TopK(std::span<const float> scores, size_t k, const ItemFilter& filter) {
  std::vector<ScoredItem> heap;  // worst of the kept items at the front
  if (k == 0) return heap;
  heap.reserve(std::min(k, scores.size()) + 1);
  float threshold = -std::numeric_limits<float>::infinity();
  bool full = false;
  const float* s = scores.data();
  for (size_t i = 0, n = scores.size(); i < n; ++i) {
    // Items are visited in index order, so an equal score later always ranks lower.
    if (!(s[i] > threshold)) continue;  // also drops NaN and -inf
    auto item = static_cast<uint32_t>(i);
    if (filter && !filter(item)) continue;
    heap.push_back({item, s[i]});
    std::push_heap(heap.begin(), heap.end(), Better);
    if (heap.size() > k) {
      std::pop_heap(heap.begin(), heap.end(), Better);
      heap.pop_back();
    }
    if (heap.size() == k) {
      full = true;
      threshold = heap.front().score;
    }
  }
  (void)full;
  std::sort_heap(heap.begin(), heap.end(), Better);
  return heap;
}

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {

constexpr size_t kBlock = 8;  // items per bfloat16 block (one AVX2 register of scores)

// Round-to-nearest-even float -> bfloat16 (relative error <= 2^-9).
uint16_t ToBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

// Blocked layout: block b, dimension d, lane j -> blocks[(b * dim + d) * 8 + j].
void ScoreBlocksGeneric(const uint16_t* blocks, size_t nblocks, size_t dim, const float* q,
                        float* out) {
  for (size_t b = 0; b < nblocks; ++b) {
    float acc[kBlock] = {};
    const uint16_t* p = blocks + b * dim * kBlock;
    for (size_t d = 0; d < dim; ++d) {
      for (size_t j = 0; j < kBlock; ++j) {
        uint32_t u = uint32_t{p[d * kBlock + j]} << 16;
        float y;
        std::memcpy(&y, &u, 4);
        acc[j] += q[d] * y;
      }
    }
    std::memcpy(out + b * kBlock, acc, sizeof(acc));
  }
}

__attribute__((target("avx2,fma"))) void ScoreBlocksAvx2(const uint16_t* blocks, size_t nblocks,
                                                         size_t dim, const float* q, float* out) {
  for (size_t b = 0; b < nblocks; ++b) {
    const uint16_t* p = blocks + b * dim * kBlock;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t d = 0;
    for (; d + 1 < dim; d += 2) {
      __m128i h0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + d * kBlock));
      __m128i h1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + (d + 1) * kBlock));
      __m256 y0 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h0), 16));
      __m256 y1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h1), 16));
      acc0 = _mm256_fmadd_ps(_mm256_set1_ps(q[d]), y0, acc0);
      acc1 = _mm256_fmadd_ps(_mm256_set1_ps(q[d + 1]), y1, acc1);
    }
    if (d < dim) {
      __m128i h0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + d * kBlock));
      __m256 y0 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h0), 16));
      acc0 = _mm256_fmadd_ps(_mm256_set1_ps(q[d]), y0, acc0);
    }
    _mm256_storeu_ps(out + b * kBlock, _mm256_add_ps(acc0, acc1));
  }
}

bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

}  // namespace

struct FactorScorer::Impl {
  RowMatrix m;
  // bfloat16 copy for the pre-selection (empty below kBf16MinItems).
  std::vector<uint16_t> blocks;
  size_t nblocks = 0;
  float max_norm = 0;
};

FactorScorer::FactorScorer() : impl_(std::make_unique<Impl>()) {}
FactorScorer::~FactorScorer() = default;
FactorScorer::FactorScorer(FactorScorer&&) noexcept = default;
FactorScorer& FactorScorer::operator=(FactorScorer&&) noexcept = default;

void FactorScorer::Reset(std::span<const float> factors, size_t num_items, size_t dim) {
  impl_->m = Eigen::Map<const RowMatrix>(factors.data(), static_cast<Eigen::Index>(num_items),
                                         static_cast<Eigen::Index>(dim));
  impl_->blocks.clear();
  impl_->nblocks = 0;
  impl_->max_norm = 0;
  if (num_items < kBf16MinItems || dim == 0) return;
  impl_->nblocks = (num_items + kBlock - 1) / kBlock;
  impl_->blocks.assign(impl_->nblocks * dim * kBlock, 0);  // padding lanes score 0, never read
  for (size_t i = 0; i < num_items; ++i) {
    const size_t b = i / kBlock, j = i % kBlock;
    double norm = 0;
    for (size_t d = 0; d < dim; ++d) {
      const float y = factors[i * dim + d];
      impl_->blocks[(b * dim + d) * kBlock + j] = ToBf16(y);
      norm += static_cast<double>(y) * y;
    }
    impl_->max_norm = std::max(impl_->max_norm, static_cast<float>(std::sqrt(norm)));
  }
}
size_t FactorScorer::num_items() const { return static_cast<size_t>(impl_->m.rows()); }
size_t FactorScorer::dim() const { return static_cast<size_t>(impl_->m.cols()); }
const float* FactorScorer::Row(size_t item) const { return impl_->m.data() + item * dim(); }
size_t FactorScorer::MemoryBytes() const {
  return static_cast<size_t>(impl_->m.size()) * sizeof(float) +
         impl_->blocks.size() * sizeof(uint16_t);
}

void FactorScorer::ScoreAll(std::span<const float> query, std::span<float> scores) const {
  Eigen::Map<const Eigen::VectorXf> q(query.data(), static_cast<Eigen::Index>(query.size()));
  Eigen::Map<Eigen::VectorXf> out(scores.data(), static_cast<Eigen::Index>(scores.size()));
  out.noalias() = impl_->m * q;
}

std::vector<ScoredItem> FactorScorer::TopKFor(std::span<const float> query, size_t k,
                                              const ItemFilter& filter) const {
  const size_t n = num_items(), dim = this->dim();
  const size_t m = 2 * k + 16;  // candidates rescored exactly
  if (impl_->blocks.empty() || k == 0 || m >= n / 4) {
    std::vector<float> scores(n);
    ScoreAll(query, scores);
    return TopK(scores, k, filter);
  }
  std::vector<float> approx(impl_->nblocks * kBlock);
  (HasAvx2() ? ScoreBlocksAvx2 : ScoreBlocksGeneric)(impl_->blocks.data(), impl_->nblocks, dim,
                                                     query.data(), approx.data());
  std::span<const float> real(approx.data(), n);  // drop the padding lanes
  std::vector<ScoredItem> cand = TopK(real, m, filter);
  // |approx - exact| <= sum_d |q_d| |y_d - bf16(y_d)| + float rounding
  //                  <= (2^-9 + dim * 2^-23) |q| |y|, with margin.
  Eigen::Map<const Eigen::VectorXf> q(query.data(), static_cast<Eigen::Index>(dim));
  const double bound = (std::ldexp(1.0, -9) + static_cast<double>(dim) * std::ldexp(1.0, -23)) *
                       1.01 * q.norm() * impl_->max_norm;
  const float last_approx =
      cand.size() == m ? cand.back().score : -std::numeric_limits<float>::infinity();
  for (ScoredItem& c : cand) {
    c.score = impl_->m.row(static_cast<Eigen::Index>(c.item)).dot(q);
  }
  std::sort(cand.begin(), cand.end(), Better);
  if (cand.size() > k) cand.resize(k);
  // Items not among the candidates have approx <= last_approx, so exact <= last + bound.
  // A candidate's exact score is >= its approx - bound, so the check is sound.
  if (cand.size() == k &&
      !(static_cast<double>(last_approx) + bound < static_cast<double>(cand.back().score))) {
    std::vector<float> scores(n);  // a near-tie at the boundary: do it the slow way
    ScoreAll(query, scores);
    return TopK(scores, k, filter);
  }
  return cand;
}

}  // namespace tailor::recommenders
