// An approximate maximum-inner-product index over item vectors (hnswlib, inner-product
// space), for catalogs where exact scoring of every item is too slow (above ~50k items).
// Its recall against exact scoring is measured in topk_test.cc and bench/micro/topk_bench.cc.
//
// Thread safety: Build() once; Search() is const and safe to call concurrently
// (hnswlib's search takes per-query visited lists from a locked pool).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "core/status.h"
#include "recommenders/recommender.h"

namespace tailor::recommenders {

struct HnswOptions {
  size_t m = 16;                 // graph degree: higher = better recall, more memory
  size_t ef_construction = 200;  // build-time beam width
  size_t ef_search = 100;        // query-time beam width (>= k); the recall/latency knob
  uint64_t seed = 100;
  int threads = 1;  // insertion threads while building
  Status Validate() const;
};

class HnswIndex {
 public:
  HnswIndex();
  ~HnswIndex();
  HnswIndex(HnswIndex&&) noexcept;
  HnswIndex& operator=(HnswIndex&&) noexcept;

  // Indexes `vectors` (num x dim, row-major). kInvalidArgument for bad options or sizes,
  // kInternal when hnswlib fails (its exceptions stop here).
  Status Build(std::span<const float> vectors, size_t num, size_t dim, const HnswOptions& options);

  // The k items with the largest inner product with `query`, best first, skipping items
  // the filter rejects (searched with a growing beam until k pass or all were seen).
  // `ef` overrides HnswOptions::ef_search for this query (0 = keep it); the beam is
  // max(ef, k). REQUIRES: Build() succeeded, query.size() == dim.
  Result<std::vector<ScoredItem>> Search(std::span<const float> query, size_t k,
                                         const ItemFilter& filter = {}, size_t ef = 0) const;

  size_t size() const;
  size_t MemoryBytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tailor::recommenders
