// Recommender: the one interface every model implements (one model per file, registered
// by name in registry.cc).
//
// Life cycle: construct with parameters (registry), Fit() once on training interactions,
// then serve. A fitted model is immutable: Score(), Recommend() and SimilarItems() are
// const and safe to call concurrently from many threads; they allocate only per call.
//
// Scoring is from a UserQuery: the user's item history (newest last) and, when the user
// was in the training data, their training index. Models that learn per-user state (ALS)
// use it when given and otherwise fold the history in; item-based models (EASE, itemknn,
// session, content) score straight from the history, so a user's newest interactions
// count before any retraining.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "recommenders/interactions.h"

namespace tailor::recommenders {

class ItemCatalog;

// Model parameters as given on the command line ("factors" -> "64"); each model parses
// its own and rejects unknown keys.
using ModelParams = std::map<std::string, std::string, std::less<>>;

struct TrainOptions {
  // Worker threads for models that parallelize training (als, itemknn, ease's products).
  int threads = 1;
  // Seed of every random draw of training (initialization, validation splits).
  uint64_t seed = 42;
  // Item text, categories and tags; required by `content`, optional elsewhere. Not owned;
  // must outlive the model.
  const ItemCatalog* catalog = nullptr;

  Status Validate() const;
};

// Called during Fit with a stage name and the fraction done in [0, 1]. May be empty.
using ProgressFn = std::function<void(std::string_view stage, double fraction)>;

// Returns true when an item may be recommended. Called concurrently; must be thread-safe.
using ItemFilter = std::function<bool(uint32_t item)>;

struct UserQuery {
  // The user's training index, or kNoIndex for a user unknown to the model.
  uint32_t user = kNoIndex;
  // Items the user interacted with, oldest first; indexes into the training IdMap.
  std::span<const uint32_t> items;
  // Weights parallel to `items`; empty means 1 each.
  std::span<const float> weights;
};

struct ScoredItem {
  uint32_t item = 0;
  float score = 0;
  bool operator==(const ScoredItem&) const = default;
};

struct RecommendOptions {
  size_t k = 10;
  // Leave out the items of the query's history.
  bool exclude_seen = true;
  // Candidate filter (availability, category, ...); empty = every item.
  ItemFilter filter;
};

class Recommender {
 public:
  virtual ~Recommender() = default;

  // The registry name ("als").
  virtual std::string_view name() const = 0;

  // Trains on `train`. Fails with kInvalidArgument for degenerate parameters or data
  // (e.g. a catalog too large for EASE, `content` without a catalog), kResourceExhausted
  // when a size limit is hit. May be called once.
  virtual Status Fit(const Interactions& train, const TrainOptions& options,
                     const ProgressFn& progress) = 0;

  // Writes one score per item into `scores` (size num_items(); higher is better).
  // Fails with kFailedPrecondition before Fit, kInvalidArgument for an out-of-range index.
  virtual Status Score(const UserQuery& query, std::span<float> scores) const = 0;

  // Items most similar to `item`, best first, without `item` itself.
  virtual Result<std::vector<ScoredItem>> SimilarItems(uint32_t item, size_t k) const;

  // The parameters in effect, as a JSON object (defaults included).
  virtual std::string ParamsJson() const = 0;

  // Bytes held by the fitted model.
  virtual size_t MemoryBytes() const = 0;

  // Bytes Fit() is expected to allocate (model and scratch, beyond the Interactions it
  // is given) on data of this shape: what the training memory budget is checked
  // against before fitting. An estimate of the peak, erring high. The default suits
  // models whose state is linear in users, items and pairs.
  virtual size_t EstimateFitBytes(size_t users, size_t items, size_t nnz, int threads) const;

  // Items the model scores: the training catalog size. 0 before Fit.
  virtual size_t num_items() const = 0;

  // The fitted model data in the persistent format (model_blob.h): everything Score,
  // Recommend and SimilarItems read, so a Deserialize()d model answers exactly as this
  // one. Item indexes are those of the training Interactions; the caller stores the id
  // mapping. kFailedPrecondition before Fit or for a model that is not persistable.
  virtual Result<std::string> Serialize() const;
  // Restores data written by Serialize() into a fresh (unfitted) model of the same name,
  // created with the same parameters. kCorruption for truncated or malformed data (or
  // data of another model), kFailedPrecondition when not persistable.
  virtual Status Deserialize(std::string_view data);

  // Score() + exclusion + filter + exact top-k, best first (ties: lower index first).
  // Items scored -inf are never returned.
  // Factor models override it to select without a full score buffer (als: bfloat16
  // pre-selection, or HNSW above hnsw_min_items).
  virtual Result<std::vector<ScoredItem>> Recommend(const UserQuery& query,
                                                    const RecommendOptions& options) const;
};

// Checks that every index of the query is < num_items (and the user < num_users when
// num_users > 0). Shared by the models.
Status ValidateQuery(const UserQuery& query, size_t num_items, size_t num_users);

// A query for a training user: their training row.
UserQuery QueryFor(const Interactions& train, uint32_t user);

}  // namespace tailor::recommenders
