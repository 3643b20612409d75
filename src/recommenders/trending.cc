// trending: popularity where each interaction counts 0.5^(age / half_life), age measured
// from the newest interaction of the training data (not the wall clock, so evaluation
// and replays are reproducible).
#include <algorithm>
#include <cmath>

#include "recommenders/models.h"
#include "recommenders/params.h"

namespace tailor::recommenders {

namespace {

class Trending final : public Recommender {
 public:
  std::string_view name() const override { return "trending"; }

  Status Parse(const ModelParams& params) {
    ParamReader r("trending", params);
    r.Double("half_life_days", 1e-6, 1e6, &half_life_days_);
    return r.Finish();
  }

  Status Fit(const Interactions& train, const TrainOptions& options,
             const ProgressFn& progress) override {
    if (!train.has_timestamps()) {
      return InvalidArgument("trending needs timestamps (add a timestamp column)", "trending");
    }
    const double half_life = half_life_days_ * 86400.0;
    const int64_t now = train.max_timestamp();
    scores_.assign(train.num_items(), 0.0f);
    std::vector<double> acc(train.num_items(), 0.0);
    for (uint32_t u = 0; u < train.num_users(); ++u) {
      auto items = train.UserItems(u);
      auto times = train.UserTimes(u);
      for (size_t k = 0; k < items.size(); ++k) {
        acc[items[k]] += std::exp2(-static_cast<double>(now - times[k]) / half_life);
      }
    }
    for (size_t i = 0; i < acc.size(); ++i) scores_[i] = static_cast<float>(acc[i]);
    if (progress) progress("trending", 1.0);
    return Status::OK();
  }

  Status Score(const UserQuery& query, std::span<float> scores) const override {
    TAILOR_RETURN_IF_ERROR(ValidateQuery(query, scores_.size(), 0));
    std::copy(scores_.begin(), scores_.end(), scores.begin());
    return Status::OK();
  }

  std::string ParamsJson() const override {
    return ParamsJsonWriter().Add("half_life_days", half_life_days_).Done();
  }
  size_t MemoryBytes() const override { return scores_.size() * sizeof(float); }
  size_t num_items() const override { return scores_.size(); }

 private:
  // An interaction this many days older than the newest one counts half.
  double half_life_days_ = 7.0;
  std::vector<float> scores_;
};

}  // namespace

Result<std::unique_ptr<Recommender>> NewTrending(const ModelParams& params) {
  auto m = std::make_unique<Trending>();
  TAILOR_RETURN_IF_ERROR(m->Parse(params));
  return std::unique_ptr<Recommender>(std::move(m));
}

}  // namespace tailor::recommenders
