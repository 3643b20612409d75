// Top-k selection and exact scoring against a dense factor matrix.
//
// Exact scoring is one matrix-vector product (Eigen, vectorized) into a score buffer,
// then a bounded min-heap selection that touches the heap only for items above the
// current k-th best score, so the common case is one compare per item.
//
// For large catalogs the product is memory-bound (100k x 64 floats = 25.6 MB per query),
// so TopKFor first scores a bfloat16 copy of the factors in blocks of 8 items (half the
// bytes; AVX2+FMA when the CPU has them, chosen at run time), keeps the best 2k + 16,
// rescores those exactly in float and proves the answer: with eps the bfloat16 rounding
// error, every item left out scores at most (its approximate score + eps |q| max|y|),
// and when that bound is below the k-th exact score the result equals full exact
// scoring. When it is not (near-ties at the boundary), it falls back to full exact
// scoring. So TopKFor is exact, never approximate.
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

// Row-major item factors (num_items x dim), owned. Eigen stays in topk.cc.
class FactorScorer {
 public:
  FactorScorer();
  ~FactorScorer();
  FactorScorer(FactorScorer&&) noexcept;
  FactorScorer& operator=(FactorScorer&&) noexcept;

  // Copies `factors` (num_items * dim floats, row-major).
  void Reset(std::span<const float> factors, size_t num_items, size_t dim);
  size_t num_items() const;
  size_t dim() const;
  // REQUIRES: query.size() == dim(), scores.size() == num_items().
  void ScoreAll(std::span<const float> query, std::span<float> scores) const;
  // Exact top-k for `query`: TopK over ScoreAll (up to float rounding of the dot
  // products), with the bfloat16 pre-selection above on catalogs of >= kBf16MinItems.
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
