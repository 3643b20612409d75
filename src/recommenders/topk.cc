#include "recommenders/topk.h"

#include <immintrin.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

namespace tailor::recommenders {

namespace {

// "a ranks before b": higher score, then lower index. A function object, so the heap
// operations inline it.
struct BetterFn {
  bool operator()(const ScoredItem& a, const ScoredItem& b) const {
    return a.score > b.score || (a.score == b.score && a.item < b.item);
  }
};
constexpr BetterFn Better;

// True when any of s[0..16) is above t (SSE2, part of x86-64: one compare per 4 lanes).
inline bool AnyAbove16(const float* s, float t) {
  const __m128 tv = _mm_set1_ps(t);
  const __m128 m = _mm_or_ps(
      _mm_or_ps(_mm_cmpgt_ps(_mm_loadu_ps(s), tv), _mm_cmpgt_ps(_mm_loadu_ps(s + 4), tv)),
      _mm_or_ps(_mm_cmpgt_ps(_mm_loadu_ps(s + 8), tv), _mm_cmpgt_ps(_mm_loadu_ps(s + 12), tv)));
  return _mm_movemask_ps(m) != 0;
}

}  // namespace

namespace {

// The k best items offered so far. Items above the current threshold go into a buffer;
// when it holds 2k, nth_element keeps the best k and the threshold rises to the k-th
// score. Amortized O(1) per kept item with few mispredicted branches (a binary heap costs
// about 2 log2 k unpredictable compares per insertion, which dominated the selection),
// and most items cost one vector compare per 16 (AnyAbove16).
class Selector {
 public:
  Selector(size_t k, const ItemFilter& filter) : k_(k), filter_(filter) {
    buf_.reserve(2 * std::min<size_t>(k, 1 << 16) + 1);
  }
  // Offers scores[0..n) as items base..base+n; items must come in increasing order, so an
  // equal score later always ranks lower. The filter is consulted for items above the
  // threshold only.
  void Offer(const float* scores, size_t n, uint32_t base) {
    for (size_t i = 0; i < n; ++i) {
      // Once the threshold is up most groups of 16 hold nothing above it.
      if ((i & 15) == 0 && i + 16 <= n && !AnyAbove16(scores + i, threshold_)) {
        i += 15;
        continue;
      }
      if (!(scores[i] > threshold_)) continue;  // also drops NaN and -inf
      const auto item = static_cast<uint32_t>(base + i);
      if (filter_ && !filter_(item)) continue;
      buf_.push_back({item, scores[i]});
      if (buf_.size() >= 2 * k_) Shrink();
    }
  }
  // The kept items, best first.
  std::vector<ScoredItem> Take() && {
    if (buf_.size() > k_) Shrink();
    std::sort(buf_.begin(), buf_.end(), Better);
    return std::move(buf_);
  }

 private:
  void Shrink() {
    std::nth_element(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(k_ - 1), buf_.end(),
                     Better);
    buf_.resize(k_);
    threshold_ = buf_[k_ - 1].score;  // the k-th best: later items must beat it
  }

  const size_t k_;
  const ItemFilter& filter_;
  std::vector<ScoredItem> buf_;
  float threshold_ = -std::numeric_limits<float>::infinity();
};

}  // namespace

std::vector<ScoredItem> TopK(std::span<const float> scores, size_t k, const ItemFilter& filter) {
  if (k == 0) return {};
  Selector sel(k, filter);
  sel.Offer(scores.data(), scores.size(), 0);
  return std::move(sel).Take();
}

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {

constexpr size_t kBlock = 8;     // items per block of the AVX2 / portable layout
constexpr size_t kBlock16 = 16;  // items per block of the AVX-512 BF16 layout
constexpr size_t kChunk = 1024;  // items scored into a stack buffer between selections

// Round-to-nearest-even float -> bfloat16 (relative error <= 2^-9).
uint16_t ToBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

float FromBf16(uint16_t h) {
  uint32_t u = uint32_t{h} << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// 8-item layout: block b, dimension d, lane j -> blocks[(b * dim + d) * 8 + j].
void ScoreBlocksGeneric(const uint16_t* blocks, size_t nblocks, size_t dim, const float* q,
                        float* out) {
  for (size_t b = 0; b < nblocks; ++b) {
    float acc[kBlock] = {};
    const uint16_t* p = blocks + b * dim * kBlock;
    for (size_t d = 0; d < dim; ++d) {
      for (size_t j = 0; j < kBlock; ++j) acc[j] += q[d] * FromBf16(p[d * kBlock + j]);
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

// 16-item int8 layout for VPDPBUSD: block b, dimension group g (dimensions 4g..4g+3),
// lane j -> bytes[((b * ngroups + g) * 16 + j) * 4 + e] = y[4g+e] / scale + 128 (rounded,
// unsigned; padding 128 = 0). The query is rounded to signed int8 at its own scale; one
// instruction adds 16 items x 4 dimensions of products into int32 (exact), and
// sum (y' + 128) q' = sum y' q' + 128 sum q' is corrected once per block.
__attribute__((target("avx512f,avx512vnni"))) void ScoreBlocksAvx512Vnni(
    const uint8_t* bytes, size_t nblocks, size_t ngroups, const uint32_t* q4, int32_t correction,
    float scale, float* out) {
  const __m512i corr = _mm512_set1_epi32(correction);
  const __m512 sc = _mm512_set1_ps(scale);
  for (size_t b = 0; b < nblocks; ++b) {
    const uint8_t* p = bytes + b * ngroups * 64;
    __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
    size_t g = 0;
    for (; g + 1 < ngroups; g += 2) {
      a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512(p + g * 64),
                               _mm512_set1_epi32(static_cast<int>(q4[g])));
      a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512(p + (g + 1) * 64),
                               _mm512_set1_epi32(static_cast<int>(q4[g + 1])));
    }
    if (g < ngroups) {
      a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512(p + g * 64),
                               _mm512_set1_epi32(static_cast<int>(q4[g])));
    }
    const __m512i dot = _mm512_sub_epi32(_mm512_add_epi32(a0, a1), corr);
    _mm512_storeu_ps(out + b * kBlock16, _mm512_mul_ps(_mm512_cvtepi32_ps(dot), sc));
  }
}

bool CpuHasAvx512Vnni() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni");
  return has;
}

bool CpuHasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

}  // namespace

struct FactorScorer::Impl {
  RowMatrix m;
  ScoreKernel kernel = ScoreKernel::kPortable;  // the pre-selection kernel in use
  // The reduced copy for the pre-selection (empty below kBf16MinItems): bfloat16 in the
  // 8-item layout (kAvx2, kPortable) or int8 (kAvx512Vnni).
  std::vector<uint16_t> blocks;
  // int8 copy (kAvx512Vnni): one scale for every factor, max |y| / 127.
  std::vector<uint8_t> bytes;
  size_t ngroups = 0;
  float int8_scale = 0;
  float max_l1 = 0;    // largest L1 norm of an item's factors
  size_t nblocks = 0;  // blocks of the layout in use
  float max_norm = 0;
};

FactorScorer::FactorScorer() : impl_(std::make_unique<Impl>()) {}
FactorScorer::~FactorScorer() = default;
FactorScorer::FactorScorer(FactorScorer&&) noexcept = default;
FactorScorer& FactorScorer::operator=(FactorScorer&&) noexcept = default;

ScoreKernel BestScoreKernel() {
  if (CpuHasAvx512Vnni()) return ScoreKernel::kAvx512Vnni;
  if (CpuHasAvx2()) return ScoreKernel::kAvx2;
  return ScoreKernel::kPortable;
}

void FactorScorer::Reset(std::span<const float> factors, size_t num_items, size_t dim,
                         ScoreKernel kernel) {
  Impl& x = *impl_;
  x.m = Eigen::Map<const RowMatrix>(factors.data(), static_cast<Eigen::Index>(num_items),
                                    static_cast<Eigen::Index>(dim));
  x.blocks.clear();
  x.bytes.clear();
  x.nblocks = x.ngroups = 0;
  x.max_norm = x.max_l1 = x.int8_scale = 0;
  // A kernel the CPU lacks falls back to the best it has.
  const bool supported = kernel == ScoreKernel::kPortable ||
                         (kernel == ScoreKernel::kAvx2 && CpuHasAvx2()) ||
                         (kernel == ScoreKernel::kAvx512Vnni && CpuHasAvx512Vnni());
  if (!supported) kernel = BestScoreKernel();
  x.kernel = kernel;
  if (num_items < kBf16MinItems || dim == 0) return;
  float max_abs = 0;
  for (size_t i = 0; i < num_items; ++i) {
    double norm = 0, l1 = 0;
    for (size_t d = 0; d < dim; ++d) {
      const float y = factors[i * dim + d];
      norm += static_cast<double>(y) * y;
      l1 += std::fabs(y);
      max_abs = std::max(max_abs, std::fabs(y));
    }
    x.max_norm = std::max(x.max_norm, static_cast<float>(std::sqrt(norm)));
    x.max_l1 = std::max(x.max_l1, static_cast<float>(l1));
  }
  if (kernel == ScoreKernel::kAvx512Vnni) {
    x.ngroups = (dim + 3) / 4;
    x.nblocks = (num_items + kBlock16 - 1) / kBlock16;
    x.int8_scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
    x.bytes.assign(x.nblocks * x.ngroups * 64, 128);  // padding: y = 0
    for (size_t i = 0; i < num_items; ++i) {
      const size_t b = i / kBlock16, j = i % kBlock16;
      for (size_t d = 0; d < dim; ++d) {
        const float v =
            std::clamp(std::nearbyint(factors[i * dim + d] / x.int8_scale), -127.0f, 127.0f);
        x.bytes[((b * x.ngroups + d / 4) * kBlock16 + j) * 4 + d % 4] =
            static_cast<uint8_t>(static_cast<int>(v) + 128);
      }
    }
    return;
  }
  x.nblocks = (num_items + kBlock - 1) / kBlock;
  x.blocks.assign(x.nblocks * dim * kBlock, 0);  // padding lanes score 0, never read
  for (size_t i = 0; i < num_items; ++i) {
    const size_t b = i / kBlock, j = i % kBlock;
    for (size_t d = 0; d < dim; ++d)
      x.blocks[(b * dim + d) * kBlock + j] = ToBf16(factors[i * dim + d]);
  }
}
size_t FactorScorer::num_items() const { return static_cast<size_t>(impl_->m.rows()); }
size_t FactorScorer::dim() const { return static_cast<size_t>(impl_->m.cols()); }
ScoreKernel FactorScorer::kernel() const { return impl_->kernel; }
const float* FactorScorer::Row(size_t item) const { return impl_->m.data() + item * dim(); }
size_t FactorScorer::MemoryBytes() const {
  return static_cast<size_t>(impl_->m.size()) * sizeof(float) +
         impl_->blocks.size() * sizeof(uint16_t) + impl_->bytes.size();
}

void FactorScorer::ScoreAll(std::span<const float> query, std::span<float> scores) const {
  Eigen::Map<const Eigen::VectorXf> q(query.data(), static_cast<Eigen::Index>(query.size()));
  Eigen::Map<Eigen::VectorXf> out(scores.data(), static_cast<Eigen::Index>(scores.size()));
  out.noalias() = impl_->m * q;
}

std::vector<ScoredItem> FactorScorer::TopKFor(std::span<const float> query, size_t k,
                                              const ItemFilter& filter) const {
  const Impl& x = *impl_;
  const size_t n = num_items(), dim = this->dim();
  // Candidates rescored exactly: more for int8, whose error bound is wider (3k + 32: no
  // inconclusive bound in 2,000 queries on either benchmark data set; 2k + 16 was
  // inconclusive on most).
  const size_t m = x.kernel == ScoreKernel::kAvx512Vnni ? 3 * k + 32 : 2 * k + 16;
  if (x.nblocks == 0 || k == 0 || m >= n / 4) {
    std::vector<float> scores(n);
    ScoreAll(query, scores);
    return TopK(scores, k, filter);
  }
  // One approximate pass: scores chunk by chunk into a stack buffer, handed to `take`
  // (no per-query buffer of n scores).
  alignas(64) float buf[kChunk];
  double rel = 0;    // error bound of an approximate score relative to |q| max|y|
  double extra = 0;  // and in absolute terms
  std::function<void(const std::function<void(const float*, size_t, uint32_t)>&)> pass;
  std::vector<uint32_t> q4;
  if (x.kernel == ScoreKernel::kAvx512Vnni) {
    // q = sq (q' + e), y = sy (y' + d) with |e|, |d| <= 1/2 per dimension (rounding), so
    // |q.y - sq sy q'.y'| <= sy/2 |q|_1 + sq/2 |y|_1 + sq sy dim / 4 (q'.y' is exact in
    // int32; one float rounding of the product, relative 2^-23, covered by `rel`).
    float max_q = 0, l1_q = 0;
    for (float v : query) max_q = std::max(max_q, std::fabs(v)), l1_q += std::fabs(v);
    const float sq = max_q > 0 ? max_q / 127.0f : 1.0f;
    q4.assign(x.ngroups, 0);
    int32_t qsum = 0;
    for (size_t d = 0; d < dim; ++d) {
      const int v = static_cast<int>(std::clamp(std::nearbyint(query[d] / sq), -127.0f, 127.0f));
      qsum += v;
      q4[d / 4] |= static_cast<uint32_t>(static_cast<uint8_t>(static_cast<int8_t>(v)))
                   << (8 * (d % 4));
    }
    const float scale = sq * x.int8_scale;
    pass = [&, qsum, scale](const std::function<void(const float*, size_t, uint32_t)>& take) {
      constexpr size_t kPerChunk = kChunk / kBlock16;
      for (size_t b = 0; b < x.nblocks; b += kPerChunk) {
        const size_t nb = std::min(kPerChunk, x.nblocks - b);
        ScoreBlocksAvx512Vnni(x.bytes.data() + b * x.ngroups * 64, nb, x.ngroups, q4.data(),
                              128 * qsum, scale, buf);
        take(buf, std::min(nb * kBlock16, n - b * kBlock16), static_cast<uint32_t>(b * kBlock16));
      }
    };
    const double sy = x.int8_scale;
    extra = 0.5 * sy * l1_q + 0.5 * sq * x.max_l1 + 0.25 * sq * sy * static_cast<double>(dim);
    rel = std::ldexp(1.0, -22);
  } else {
    const auto score = x.kernel == ScoreKernel::kAvx2 ? ScoreBlocksAvx2 : ScoreBlocksGeneric;
    pass = [&, score](const std::function<void(const float*, size_t, uint32_t)>& take) {
      constexpr size_t kPerChunk = kChunk / kBlock;
      for (size_t b = 0; b < x.nblocks; b += kPerChunk) {
        const size_t nb = std::min(kPerChunk, x.nblocks - b);
        score(x.blocks.data() + b * dim * kBlock, nb, dim, query.data(), buf);
        take(buf, std::min(nb * kBlock, n - b * kBlock), static_cast<uint32_t>(b * kBlock));
      }
    };
    // |approx - exact| <= sum_d |q_d| |y_d - bf16(y_d)| + float rounding
    //                  <= (2^-9 + dim * 2^-23) |q| |y|.
    rel = std::ldexp(1.0, -9) + static_cast<double>(dim) * std::ldexp(1.0, -23);
  }
  Eigen::Map<const Eigen::VectorXf> q(query.data(), static_cast<Eigen::Index>(dim));
  const double bound = (rel * q.norm() * x.max_norm + extra) * 1.01 +
                       static_cast<double>(4 * dim) * std::numeric_limits<float>::min();
  // Exact scores of candidates, in place. Their rows are scattered over the float
  // matrix: prefetch a few ahead.
  auto rescore = [&](std::vector<ScoredItem>& cand) {
    constexpr size_t kAhead = 8;
    for (size_t c = 0; c < cand.size(); ++c) {
      if (c + kAhead < cand.size()) {
        const char* row = reinterpret_cast<const char*>(Row(cand[c + kAhead].item));
        for (size_t off = 0; off < dim * sizeof(float); off += 64) __builtin_prefetch(row + off);
      }
      cand[c].score = x.m.row(static_cast<Eigen::Index>(cand[c].item)).dot(q);
    }
    std::sort(cand.begin(), cand.end(), Better);
  };

  Selector sel(m, filter);
  pass([&](const float* s, size_t count, uint32_t base) { sel.Offer(s, count, base); });
  std::vector<ScoredItem> cand = std::move(sel).Take();  // best approximate score first
  if (cand.size() < m) {  // every item that passed the filter is a candidate
    rescore(cand);
    if (cand.size() > k) cand.resize(k);
    return cand;
  }
  const float last_approx = cand.back().score;
  rescore(cand);
  cand.resize(k);
  // Items not among the candidates have approx <= last_approx, so exact <= last + bound;
  // when that is below the k-th exact score, none of them can enter the top k. (A
  // candidate's exact score is >= its approx - bound, so the check is sound.)
  const double kth = cand.back().score;
  if (static_cast<double>(last_approx) + bound < kth) return cand;

  // Inconclusive (near-ties at the boundary, or a wide int8 bound on factors with skewed
  // norms): a second approximate pass collects every item with approx >= kth - bound
  // (any item below scores exactly < kth, which k candidates reach) and rescores those.
  const double floor = kth - bound;
  std::vector<ScoredItem> wide;
  bool too_many = false;
  pass([&](const float* s, size_t count, uint32_t base) {
    for (size_t i = 0; i < count && !too_many; ++i) {
      if (!(static_cast<double>(s[i]) >= floor)) continue;
      const auto item = static_cast<uint32_t>(base + i);
      if (filter && !filter(item)) continue;
      wide.push_back({item, s[i]});
      too_many = wide.size() > n / 8;
    }
  });
  if (!too_many) {
    rescore(wide);
    if (wide.size() > k) wide.resize(k);
    return wide;
  }
  std::vector<float> scores(n);  // the bound is useless here: score everything in float
  ScoreAll(query, scores);
  return TopK(scores, k, filter);
}

}  // namespace tailor::recommenders
