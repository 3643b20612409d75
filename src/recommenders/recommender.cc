#include "recommenders/recommender.h"

#include <cmath>
#include <limits>

#include "recommenders/topk.h"

namespace tailor::recommenders {

Status TrainOptions::Validate() const {
  if (threads < 1 || threads > 256) return InvalidArgument("must be in [1, 256]", "threads");
  return Status::OK();
}

size_t Recommender::EstimateFitBytes(size_t users, size_t items, size_t nnz, int) const {
  return (users + items) * 16 + nnz * 8;
}

Status ValidateQuery(const UserQuery& query, size_t num_items, size_t num_users) {
  if (num_items == 0) return FailedPrecondition("model is not trained");
  if (query.user != kNoIndex && num_users > 0 && query.user >= num_users) {
    return InvalidArgument("unknown user index " + std::to_string(query.user), "user");
  }
  if (!query.weights.empty() && query.weights.size() != query.items.size()) {
    return InvalidArgument("weights and items differ in length", "weights");
  }
  for (uint32_t item : query.items) {
    if (item >= num_items)
      return InvalidArgument("unknown item index " + std::to_string(item), "items");
  }
  return Status::OK();
}

Result<std::string> Recommender::Serialize() const {
  return FailedPrecondition(std::string(name()) + ": not persistable; retrained at load");
}

Status Recommender::Deserialize(std::string_view) {
  return FailedPrecondition(std::string(name()) + ": not persistable; retrained at load");
}

UserQuery QueryFor(const Interactions& train, uint32_t user) {
  UserQuery q;
  q.user = user;
  q.items = train.UserItems(user);
  q.weights = train.UserWeights(user);
  return q;
}

Result<std::vector<ScoredItem>> Recommender::Recommend(const UserQuery& query,
                                                       const RecommendOptions& options) const {
  std::vector<float> scores(num_items());
  TAILOR_RETURN_IF_ERROR(Score(query, scores));
  if (options.exclude_seen) {
    for (uint32_t item : query.items) scores[item] = -std::numeric_limits<float>::infinity();
  }
  return TopK(scores, options.k, options.filter);
}

Result<std::vector<ScoredItem>> Recommender::SimilarItems(uint32_t item, size_t k) const {
  if (item >= num_items()) return NotFound("unknown item index " + std::to_string(item));
  UserQuery q;
  q.items = std::span<const uint32_t>(&item, 1);
  RecommendOptions o;
  o.k = k;
  return Recommend(q, o);
}

}  // namespace tailor::recommenders
