// UnionFind: disjoint sets over the indexes 0..n-1 (path halving, no ranks: the sets
// here are small and built once per call). Used to group what must stay together: the
// events of a batch sharing a lock stripe (ingest/pipeline.cc) and the segments joined by
// parent links and exclusive groups (segments/segment_set.cc).
//
// Hand-written because it is a dozen lines; Boost's disjoint_sets lives in
// boost/pending/, which Boost does not count as a stable interface.
#pragma once

#include <cstddef>
#include <numeric>
#include <vector>

namespace tailor {

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), size_t{0}); }

  // The representative of x's set. REQUIRES: x < n.
  size_t Find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  // Merges the sets of a and b.
  void Join(size_t a, size_t b) { parent_[Find(a)] = Find(b); }

 private:
  std::vector<size_t> parent_;
};

}  // namespace tailor
