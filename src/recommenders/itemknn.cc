// itemknn: item-item collaborative filtering. Similarity is cosine over the item columns
// (users as dimensions) with shrinkage, sim(i, j) = <c_i, c_j> / (|c_i| |c_j| + shrink),
// which damps similarities resting on few co-occurrences. Each item keeps its top
// `neighbors` by similarity; a user scores item i as sum over history j of w_j sim(j, i).
// Training cost: sum over users of |row|^2 co-occurrence updates.
#include <algorithm>
#include <atomic>
#include <cmath>

#include "recommenders/model_blob.h"
#include "recommenders/models.h"
#include "recommenders/parallel.h"
#include "recommenders/params.h"
#include "recommenders/topk.h"

namespace tailor::recommenders {

namespace {

class ItemKnn final : public Recommender {
 public:
  std::string_view name() const override { return "itemknn"; }

  Status Parse(const ModelParams& params) {
    ParamReader r("itemknn", params);
    r.Int("neighbors", 1, 100'000, &neighbors_);
    r.Double("shrink", 0, 1e9, &shrink_);
    r.Bool("binary", &binary_);
    return r.Finish();
  }

  Status Fit(const Interactions& train, const TrainOptions& options,
             const ProgressFn& progress) override {
    TAILOR_RETURN_IF_ERROR(options.Validate());
    const size_t ni = train.num_items();
    num_items_ = ni;
    std::vector<double> norm(ni, 0.0);
    for (uint32_t i = 0; i < ni; ++i) {
      double s = 0;
      if (binary_) {
        s = static_cast<double>(train.ItemUsers(i).size());
      } else {
        for (float w : train.ItemWeights(i)) s += static_cast<double>(w) * w;
      }
      norm[i] = std::sqrt(s);
    }
    ptr_.assign(ni + 1, 0);
    std::vector<std::vector<ScoredItem>> rows(ni);
    std::atomic<size_t> done{0};
    ParallelFor(ni, options.threads, 64, [&](size_t begin, size_t end, int) {
      std::vector<float> dot(ni, 0.0f);
      std::vector<uint32_t> touched;
      for (size_t i = begin; i < end; ++i) {
        touched.clear();
        auto users = train.ItemUsers(static_cast<uint32_t>(i));
        auto wi = train.ItemWeights(static_cast<uint32_t>(i));
        for (size_t a = 0; a < users.size(); ++a) {
          auto items = train.UserItems(users[a]);
          auto wu = train.UserWeights(users[a]);
          for (size_t b = 0; b < items.size(); ++b) {
            if (items[b] == i) continue;
            if (dot[items[b]] == 0.0f) touched.push_back(items[b]);
            dot[items[b]] += binary_ ? 1.0f : wi[a] * wu[b];
          }
        }
        std::vector<ScoredItem> cand;
        cand.reserve(touched.size());
        for (uint32_t j : touched) {
          const double sim = dot[j] / (norm[i] * norm[j] + shrink_);
          cand.push_back({j, static_cast<float>(sim)});
          dot[j] = 0.0f;
        }
        const auto keep = std::min(cand.size(), static_cast<size_t>(neighbors_));
        std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep),
                          cand.end(), [](const ScoredItem& a, const ScoredItem& b) {
                            return a.score > b.score || (a.score == b.score && a.item < b.item);
                          });
        cand.resize(keep);
        rows[i] = std::move(cand);
        size_t d = done.fetch_add(1) + 1;
        if (progress && (d & 255) == 0) progress("itemknn", static_cast<double>(d) / ni);
      }
    });
    for (size_t i = 0; i < ni; ++i) ptr_[i + 1] = ptr_[i] + rows[i].size();
    neigh_.clear();
    neigh_.reserve(ptr_[ni]);
    for (auto& r : rows) neigh_.insert(neigh_.end(), r.begin(), r.end());
    if (progress) progress("itemknn", 1.0);
    return Status::OK();
  }

  Status Score(const UserQuery& query, std::span<float> scores) const override {
    TAILOR_RETURN_IF_ERROR(ValidateQuery(query, num_items_, 0));
    std::fill(scores.begin(), scores.end(), 0.0f);
    for (size_t k = 0; k < query.items.size(); ++k) {
      const uint32_t j = query.items[k];
      const float w = binary_ || query.weights.empty() ? 1.0f : query.weights[k];
      for (uint64_t n = ptr_[j]; n < ptr_[j + 1]; ++n)
        scores[neigh_[n].item] += w * neigh_[n].score;
    }
    return Status::OK();
  }

  Result<std::vector<ScoredItem>> SimilarItems(uint32_t item, size_t k) const override {
    if (item >= num_items_) return NotFound("unknown item index " + std::to_string(item));
    auto first = neigh_.begin() + static_cast<std::ptrdiff_t>(ptr_[item]);
    auto last =
        first + static_cast<std::ptrdiff_t>(std::min<uint64_t>(k, ptr_[item + 1] - ptr_[item]));
    return std::vector<ScoredItem>(first, last);
  }

  std::string ParamsJson() const override {
    return ParamsJsonWriter()
        .Add("neighbors", neighbors_)
        .Add("shrink", shrink_)
        .Add("binary", binary_)
        .Done();
  }
  size_t EstimateFitBytes(size_t, size_t items, size_t, int threads) const override {
    // Per thread a dense dot row over the items; per item its candidates, then the kept
    // neighbours (rows and the CSR copy).
    const size_t keep = std::min(items, static_cast<size_t>(neighbors_));
    return static_cast<size_t>(threads) * items * 8 + items * keep * 8 * 2 + items * 24;
  }

  size_t MemoryBytes() const override {
    return neigh_.size() * sizeof(ScoredItem) + ptr_.size() * 8;
  }
  size_t num_items() const override { return num_items_; }

  // Payload: params (i64 neighbors, f64 shrink, u8 binary), u64 num_items, the row
  // offsets (num_items + 1) and the neighbour lists as (u32 item, f32 similarity) pairs.
  Result<std::string> Serialize() const override {
    if (num_items_ == 0) return FailedPrecondition("itemknn: model is not trained");
    BlobWriter w(name());
    w.Put<int64_t>(neighbors_);
    w.Put<double>(shrink_);
    w.Put<uint8_t>(binary_ ? 1 : 0);
    w.Put<uint64_t>(num_items_);
    w.Array(ptr_);
    std::vector<uint32_t> items(neigh_.size());
    std::vector<float> sims(neigh_.size());
    for (size_t n = 0; n < neigh_.size(); ++n) items[n] = neigh_[n].item, sims[n] = neigh_[n].score;
    w.Array(items);
    w.Array(sims);
    return std::move(w).Finish();
  }
  Status Deserialize(std::string_view data) override {
    BlobReader r(data);
    TAILOR_RETURN_IF_ERROR(r.Header(name()));
    const Status bad = Corruption("itemknn: model data truncated or malformed");
    int64_t neighbors = 0;
    double shrink = 0;
    uint8_t binary = 0;
    uint64_t ni = 0;
    std::vector<uint64_t> ptr;
    std::vector<uint32_t> items;
    std::vector<float> sims;
    if (!r.Get(&neighbors) || !r.Get(&shrink) || !r.Get(&binary) || binary > 1 || !r.Get(&ni) ||
        ni == 0 || ni >= UINT32_MAX || !r.Array(&ptr, ni + 1) || !r.Array(&items) ||
        !r.Array(&sims, items.size()) || !r.AtEnd())
      return bad;
    if (ptr[0] != 0 || ptr[ni] != items.size()) return bad;
    for (uint64_t i = 0; i < ni; ++i) {
      if (ptr[i + 1] < ptr[i]) return bad;
    }
    for (uint32_t j : items) {
      if (j >= ni) return bad;
    }
    neighbors_ = neighbors;
    shrink_ = shrink;
    binary_ = binary == 1;
    num_items_ = ni;
    ptr_ = std::move(ptr);
    neigh_.resize(items.size());
    for (size_t n = 0; n < items.size(); ++n) neigh_[n] = {items[n], sims[n]};
    return Status::OK();
  }

 private:
  int64_t neighbors_ = 100;  // neighbours kept per item: more = better recall, more memory
  double shrink_ = 10.0;     // added to the cosine denominator
  bool binary_ = false;      // ignore weights (every interaction counts 1)

  size_t num_items_ = 0;
  std::vector<uint64_t> ptr_;
  std::vector<ScoredItem> neigh_;  // per item, best first
};

}  // namespace

Result<std::unique_ptr<Recommender>> NewItemKnn(const ModelParams& params) {
  auto m = std::make_unique<ItemKnn>();
  TAILOR_RETURN_IF_ERROR(m->Parse(params));
  return std::unique_ptr<Recommender>(std::move(m));
}

}  // namespace tailor::recommenders
