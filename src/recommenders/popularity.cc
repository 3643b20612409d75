// popularity: items ranked by how many users interacted with them (or by the sum of
// weights). The baseline every evaluation reports, and the cold-start fallback.
#include <algorithm>
#include <cmath>

#include "recommenders/model_blob.h"
#include "recommenders/models.h"
#include "recommenders/params.h"

namespace tailor::recommenders {

namespace {

class Popularity final : public Recommender {
 public:
  std::string_view name() const override { return "popularity"; }

  Status Parse(const ModelParams& params) {
    ParamReader r("popularity", params);
    r.Bool("by_weight", &by_weight_);
    return r.Finish();
  }

  Status Fit(const Interactions& train, const TrainOptions& options,
             const ProgressFn& progress) override {
    scores_.assign(train.num_items(), 0.0f);
    for (uint32_t i = 0; i < train.num_items(); ++i) {
      if (by_weight_) {
        double s = 0;
        for (float w : train.ItemWeights(i)) s += w;
        scores_[i] = static_cast<float>(s);
      } else {
        scores_[i] = static_cast<float>(train.ItemUsers(i).size());
      }
    }
    if (progress) progress("popularity", 1.0);
    return Status::OK();
  }

  Status Score(const UserQuery& query, std::span<float> scores) const override {
    TAILOR_RETURN_IF_ERROR(ValidateQuery(query, scores_.size(), 0));
    std::copy(scores_.begin(), scores_.end(), scores.begin());
    return Status::OK();
  }

  std::string ParamsJson() const override {
    return ParamsJsonWriter().Add("by_weight", by_weight_).Done();
  }
  size_t MemoryBytes() const override { return scores_.size() * sizeof(float); }
  size_t num_items() const override { return scores_.size(); }

  // Payload: u8 by_weight, the per-item scores.
  Result<std::string> Serialize() const override {
    if (scores_.empty()) return FailedPrecondition("popularity: model is not trained");
    BlobWriter w(name());
    w.Put<uint8_t>(by_weight_ ? 1 : 0);
    w.Array(scores_);
    return std::move(w).Finish();
  }
  Status Deserialize(std::string_view data) override {
    BlobReader r(data);
    TAILOR_RETURN_IF_ERROR(r.Header(name()));
    uint8_t by_weight = 0;
    std::vector<float> scores;
    if (!r.Get(&by_weight) || by_weight > 1 || !r.Array(&scores) || scores.empty() || !r.AtEnd())
      return Corruption("popularity: model data truncated or malformed");
    by_weight_ = by_weight == 1;
    scores_ = std::move(scores);
    return Status::OK();
  }

 private:
  // false: number of distinct users per item; true: sum of interaction weights.
  bool by_weight_ = false;
  std::vector<float> scores_;
};

}  // namespace

Result<std::unique_ptr<Recommender>> NewPopularity(const ModelParams& params) {
  auto m = std::make_unique<Popularity>();
  TAILOR_RETURN_IF_ERROR(m->Parse(params));
  return std::unique_ptr<Recommender>(std::move(m));
}

}  // namespace tailor::recommenders
