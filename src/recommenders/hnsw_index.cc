#include "recommenders/hnsw_index.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <string>

#include "recommenders/parallel.h"

namespace tailor::recommenders {

Status HnswOptions::Validate() const {
  if (m < 2 || m > 128) return InvalidArgument("must be in [2, 128]", "hnsw.m");
  if (ef_construction < 1) return InvalidArgument("must be >= 1", "hnsw.ef_construction");
  if (ef_search < 1) return InvalidArgument("must be >= 1", "hnsw.ef_search");
  if (threads < 1) return InvalidArgument("must be >= 1", "hnsw.threads");
  return Status::OK();
}

struct HnswIndex::Impl {
  std::unique_ptr<hnswlib::InnerProductSpace> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
  size_t num = 0, dim = 0, ef_search = 0;
};

HnswIndex::HnswIndex() : impl_(std::make_unique<Impl>()) {}
HnswIndex::~HnswIndex() = default;
HnswIndex::HnswIndex(HnswIndex&&) noexcept = default;
HnswIndex& HnswIndex::operator=(HnswIndex&&) noexcept = default;

Status HnswIndex::Build(std::span<const float> vectors, size_t num, size_t dim,
                        const HnswOptions& options) {
  TAILOR_RETURN_IF_ERROR(options.Validate());
  if (num == 0 || dim == 0 || vectors.size() != num * dim) {
    return InvalidArgument("vectors must hold num * dim > 0 floats");
  }
  try {
    auto space = std::make_unique<hnswlib::InnerProductSpace>(dim);
    auto index = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        space.get(), num, options.m, options.ef_construction, options.seed);
    // hnswlib's addPoint is safe to call concurrently (per-node locks); the exception
    // of one worker is kept and rethrown here.
    index->addPoint(vectors.data(), 0);
    std::mutex mu;
    std::string failure;
    ParallelFor(num - 1, options.threads, 256, [&](size_t begin, size_t end, int) {
      try {
        for (size_t i = begin + 1; i < end + 1; ++i) index->addPoint(vectors.data() + i * dim, i);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mu);
        failure = e.what();
      }
    });
    if (!failure.empty()) return Internal("hnswlib: " + failure);
    index->setEf(1);  // Search() sets the beam per query through the result count
    impl_->space = std::move(space);
    impl_->index = std::move(index);
  } catch (const std::exception& e) {
    return Internal(std::string("hnswlib: ") + e.what());
  }
  impl_->num = num;
  impl_->dim = dim;
  impl_->ef_search = options.ef_search;
  return Status::OK();
}

Result<std::vector<ScoredItem>> HnswIndex::Search(std::span<const float> query, size_t k,
                                                  const ItemFilter& filter, size_t ef) const {
  if (!impl_->index) return FailedPrecondition("index not built");
  if (query.size() != impl_->dim) return InvalidArgument("query dimension mismatch");
  k = std::min(k, impl_->num);
  std::vector<ScoredItem> out;
  // Asking hnswlib for max(ef, k) results runs its search with that beam (it searches
  // with max(ef_, k)); the extra results also feed the filter.
  size_t want = std::min(impl_->num, std::max(k, ef == 0 ? impl_->ef_search : ef));
  try {
    while (true) {
      // hnswlib 0.6.2 has no filter hook: over-fetch and filter, widening until enough.
      auto pq = impl_->index->searchKnn(query.data(), want);
      out.clear();
      std::vector<ScoredItem> all;
      all.reserve(pq.size());
      while (!pq.empty()) {
        // Inner-product distance is 1 - <q, v>.
        all.push_back({static_cast<uint32_t>(pq.top().second), 1.0f - pq.top().first});
        pq.pop();
      }
      std::reverse(all.begin(), all.end());
      for (const ScoredItem& s : all) {
        if (filter && !filter(s.item)) continue;
        out.push_back(s);
        if (out.size() == k) break;
      }
      if (out.size() == k || want >= impl_->num) break;
      want = std::min(impl_->num, want * 4);
    }
  } catch (const std::exception& e) {
    return Internal(std::string("hnswlib: ") + e.what());
  }
  return out;
}

size_t HnswIndex::size() const { return impl_->num; }

size_t HnswIndex::MemoryBytes() const {
  if (!impl_->index) return 0;
  const auto& idx = *impl_->index;
  // Level-0 links + vectors + labels; upper levels add about 1/M of that.
  return idx.max_elements_ * idx.size_data_per_element_ * (idx.M_ + 1) / idx.M_;
}

}  // namespace tailor::recommenders
