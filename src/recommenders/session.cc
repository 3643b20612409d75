// session: "because you just viewed". Items that follow each other in users' timelines
// (within `window` positions and, with timestamps, within `session_gap_minutes`) are
// related; a pair at distance d adds 1/d in both directions. Similarities are
// co-occurrence / sqrt(count_i * count_j) so popular items do not swamp every list, and
// each item keeps its top `neighbors`. A query scores from its last `last_n` items,
// the newest weighing most (recency_decay^position-from-end).
#include <algorithm>
#include <cmath>

#include "recommenders/models.h"
#include "recommenders/params.h"

namespace tailor::recommenders {

namespace {

class Session final : public Recommender {
 public:
  std::string_view name() const override { return "session"; }

  Status Parse(const ModelParams& params) {
    ParamReader r("session", params);
    r.Int("window", 1, 1000, &window_);
    r.Double("session_gap_minutes", 0, 1e9, &session_gap_minutes_);
    r.Int("last_n", 1, 1000, &last_n_);
    r.Double("recency_decay", 0, 1, &recency_decay_);
    r.Int("neighbors", 1, 100'000, &neighbors_);
    return r.Finish();
  }

  Status Fit(const Interactions& train, const TrainOptions& options,
             const ProgressFn& progress) override {
    const size_t ni = train.num_items();
    num_items_ = ni;
    const auto gap = static_cast<int64_t>(session_gap_minutes_ * 60.0);
    const bool use_gap = train.has_timestamps() && gap > 0;
    // (from << 32 | to, weight) pairs, merged after sorting. Memory: 16 bytes per pair,
    // about 2 * window pairs per interaction.
    std::vector<std::pair<uint64_t, float>> pairs;
    std::vector<double> count(ni, 0.0);
    for (uint32_t u = 0; u < train.num_users(); ++u) {
      auto items = train.UserItems(u);
      auto times = train.UserTimes(u);
      for (size_t a = 0; a < items.size(); ++a) {
        count[items[a]] += 1.0;
        for (size_t b = a + 1; b < items.size() && b - a <= static_cast<size_t>(window_); ++b) {
          if (use_gap && times[b] - times[b - 1] > gap) break;
          const float w = 1.0f / static_cast<float>(b - a);
          pairs.push_back({(uint64_t{items[a]} << 32) | items[b], w});
          pairs.push_back({(uint64_t{items[b]} << 32) | items[a], w});
        }
      }
      if (progress && (u & 4095) == 0) progress("session pairs", 0.5 * u / train.num_users());
    }
    std::sort(pairs.begin(), pairs.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    ptr_.assign(ni + 1, 0);
    neigh_.clear();
    std::vector<ScoredItem> row;
    size_t k = 0;
    for (uint32_t i = 0; i < ni; ++i) {
      row.clear();
      while (k < pairs.size() && (pairs[k].first >> 32) == i) {
        const auto j = static_cast<uint32_t>(pairs[k].first & 0xffffffffu);
        float s = 0;
        while (k < pairs.size() && pairs[k].first == ((uint64_t{i} << 32) | j))
          s += pairs[k++].second;
        row.push_back({j, static_cast<float>(s / std::sqrt(count[i] * count[j]))});
      }
      const size_t keep = std::min(row.size(), static_cast<size_t>(neighbors_));
      std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keep), row.end(),
                        [](const ScoredItem& a, const ScoredItem& b) {
                          return a.score > b.score || (a.score == b.score && a.item < b.item);
                        });
      neigh_.insert(neigh_.end(), row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keep));
      ptr_[i + 1] = neigh_.size();
    }
    if (progress) progress("session", 1.0);
    return Status::OK();
  }

  Status Score(const UserQuery& query, std::span<float> scores) const override {
    TAILOR_RETURN_IF_ERROR(ValidateQuery(query, num_items_, 0));
    std::fill(scores.begin(), scores.end(), 0.0f);
    const size_t n = query.items.size();
    const size_t first = n > static_cast<size_t>(last_n_) ? n - static_cast<size_t>(last_n_) : 0;
    float recency = 1.0f;
    for (size_t k = n; k-- > first;) {
      const uint32_t j = query.items[k];
      for (uint64_t e = ptr_[j]; e < ptr_[j + 1]; ++e)
        scores[neigh_[e].item] += recency * neigh_[e].score;
      recency *= static_cast<float>(recency_decay_);
    }
    return Status::OK();
  }

  std::string ParamsJson() const override {
    return ParamsJsonWriter()
        .Add("window", window_)
        .Add("session_gap_minutes", session_gap_minutes_)
        .Add("last_n", last_n_)
        .Add("recency_decay", recency_decay_)
        .Add("neighbors", neighbors_)
        .Done();
  }
  size_t MemoryBytes() const override {
    return neigh_.size() * sizeof(ScoredItem) + ptr_.size() * 8;
  }
  size_t num_items() const override { return num_items_; }

 private:
  int64_t window_ = 5;               // items after each item that count as "viewed next"
  double session_gap_minutes_ = 30;  // a longer pause ends the session; 0 = no gap rule
  int64_t last_n_ = 5;               // newest items of the query that drive the scores
  double recency_decay_ = 0.7;       // weight factor per step back in the history
  int64_t neighbors_ = 100;          // co-occurring items kept per item

  size_t num_items_ = 0;
  std::vector<uint64_t> ptr_;
  std::vector<ScoredItem> neigh_;
};

}  // namespace

Result<std::unique_ptr<Recommender>> NewSession(const ModelParams& params) {
  auto m = std::make_unique<Session>();
  TAILOR_RETURN_IF_ERROR(m->Parse(params));
  return std::unique_ptr<Recommender>(std::move(m));
}

}  // namespace tailor::recommenders
