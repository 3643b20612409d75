// Offline evaluation of a fitted model on a train/test split: every user with test items
// gets a top-k list from their training history (training items excluded), scored with
// the metrics of metrics.h against all of their test items.
//
// Thread safety: pure function; the model is only read (its const methods).
#pragma once

#include "core/status.h"
#include "recommenders/interactions.h"
#include "recommenders/item_catalog.h"
#include "recommenders/metrics.h"
#include "recommenders/recommender.h"

namespace tailor::recommenders {

struct EvalOptions {
  size_t k = 10;    // list length, >= 1
  int threads = 1;  // users are scored in parallel
  // When set, category_diversity is computed from the items' categories. Not owned.
  const ItemCatalog* catalog = nullptr;
};

// `train` and `test` must share IdMaps (one split). Fails when the model fails to score
// or when no user has test items (kInvalidArgument).
Result<EvalMetrics> EvaluateModel(const Recommender& model, const Interactions& train,
                                  const Interactions& test, const EvalOptions& options,
                                  const ProgressFn& progress = {});

}  // namespace tailor::recommenders
