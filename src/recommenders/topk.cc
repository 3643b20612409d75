#include "recommenders/topk.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
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

struct FactorScorer::Impl {
  RowMatrix m;
};

FactorScorer::FactorScorer() : impl_(std::make_unique<Impl>()) {}
FactorScorer::~FactorScorer() = default;
FactorScorer::FactorScorer(FactorScorer&&) noexcept = default;
FactorScorer& FactorScorer::operator=(FactorScorer&&) noexcept = default;

void FactorScorer::Reset(std::span<const float> factors, size_t num_items, size_t dim) {
  impl_->m = Eigen::Map<const RowMatrix>(factors.data(), static_cast<Eigen::Index>(num_items),
                                         static_cast<Eigen::Index>(dim));
}
size_t FactorScorer::num_items() const { return static_cast<size_t>(impl_->m.rows()); }
size_t FactorScorer::dim() const { return static_cast<size_t>(impl_->m.cols()); }
const float* FactorScorer::Row(size_t item) const { return impl_->m.data() + item * dim(); }
size_t FactorScorer::MemoryBytes() const { return static_cast<size_t>(impl_->m.size()) * sizeof(float); }

void FactorScorer::ScoreAll(std::span<const float> query, std::span<float> scores) const {
  Eigen::Map<const Eigen::VectorXf> q(query.data(), static_cast<Eigen::Index>(query.size()));
  Eigen::Map<Eigen::VectorXf> out(scores.data(), static_cast<Eigen::Index>(scores.size()));
  out.noalias() = impl_->m * q;
}

std::vector<ScoredItem> FactorScorer::TopKFor(std::span<const float> query, size_t k,
                                              const ItemFilter& filter) const {
  std::vector<float> scores(num_items());
  ScoreAll(query, scores);
  return TopK(scores, k, filter);
}

}  // namespace tailor::recommenders
