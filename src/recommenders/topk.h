// Top-k selection and exact scoring against a dense factor matrix.
//
// Selection (TopK and TopKFor's pre-selection) keeps items above the current k-th best
// score in a buffer, trimmed with nth_element when it reaches 2k; one vector compare
// skips 16 scores at a time once the threshold is up.
//
// For large catalogs the product is memory-bound (100k x 64 floats = 25.6 MB per query),
// so TopKFor first scores a reduced copy of the factors, chunk by chunk into a stack
// buffer with the running selection (no per-query buffer of n scores), keeps the best
// m candidates, rescores those exactly in float and proves the answer. The kernel is
// chosen at run time from the CPU (the build has no -march): AVX-512 VNNI (VPDPBUSD on
// an int8 copy, a quarter of the float bytes, 16 items x 4 dimensions per instruction,
// exact int32 sums; m = 3k + 32), else AVX2+FMA on a bfloat16 copy (half the bytes, 8
// items; m = 2k + 16), else portable C++ on the bfloat16 copy. (AVX-512 BF16's
// VDPBF16PS on the bfloat16 copy was no faster than AVX2: the pass is memory-bound.)
// In every case, with E a bound on |approximate - exact| for any item (rounding of the
// copy and the query, float rounding; see TopKFor), every item left out scores at most
// (the m-th approximate score + E), and when that is below the k-th exact score of the
// candidates the result equals full exact scoring. When it is not (near-ties at the
// boundary; a wide int8 bound on learned factors with skewed norms, ~3% of users on
// MovieLens latest-small ALS factors), a second approximate pass collects every item
// whose approximate score is at least (that k-th exact score - E) and rescores them;
// only when that would be more than n/8 items is everything scored in float. So
// TopKFor is exact, never approximate.
//
// Thread safety: pure functions; FactorScorer is immutable after construction.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "recommenders/recommender.h"

namespace tailor::recommenders {

// The k best of `scores` (best first; ties: lower index first), skipping -inf and NaN
// scores and items the filter rejects (the filter is consulted only for items that would
// enter the top k).
std::vector<ScoredItem> TopK(std::span<const float> scores, size_t k,
                             const ItemFilter& filter = {});

// Pre-selection kernels of FactorScorer::TopKFor.
enum class ScoreKernel {
  kAuto,        // the best the CPU has (BestScoreKernel)
  kAvx512Vnni,  // AVX-512F + AVX512_VNNI: int8 copy (a quarter of the float bytes)
  kAvx2,        // AVX2 + FMA
  kPortable,    // plain C++
};

// The best kernel this CPU runs.
ScoreKernel BestScoreKernel();

// Row-major item factors (num_items x dim), owned. Eigen stays in topk.cc.
class FactorScorer {
 public:
  FactorScorer();
  ~FactorScorer();
  FactorScorer(FactorScorer&&) noexcept;
  FactorScorer& operator=(FactorScorer&&) noexcept;

  // Copies `factors` (num_items * dim floats, row-major) and builds the bfloat16 copy
  // for `kernel` (one the CPU lacks falls back to the best it has; kernels other than
  // kAuto are for benchmarks and tests: every kernel gives the same, exact, answers).
  void Reset(std::span<const float> factors, size_t num_items, size_t dim,
             ScoreKernel kernel = ScoreKernel::kAuto);
  // The pre-selection kernel in use.
  ScoreKernel kernel() const;
  size_t num_items() const;
  size_t dim() const;
  // REQUIRES: query.size() == dim(), scores.size() == num_items().
  void ScoreAll(std::span<const float> query, std::span<float> scores) const;
  // Exact top-k for `query`: TopK over ScoreAll (up to float rounding of the dot
  // products), with the reduced-copy pre-selection above on catalogs of >= kBf16MinItems.
  std::vector<ScoredItem> TopKFor(std::span<const float> query, size_t k,
                                  const ItemFilter& filter = {}) const;
  static constexpr size_t kBf16MinItems = 8192;
  const float* Row(size_t item) const;
  size_t MemoryBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tailor::recommenders
