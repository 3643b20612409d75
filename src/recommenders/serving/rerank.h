// Re-ranking of a model's candidates into the served list: business boosts and buries,
// popularity-bias mitigation, diversity (MMR over shared categories, or per-category
// caps) and a cap on one provider's share. Pure; tested in rerank_test.cc.
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/json_doc.h"
#include "recommenders/serving/rec_config.h"

namespace tailor::recommenders {

struct Candidate {
  uint32_t item = 0;          // model index (or any caller key)
  float score = 0;            // model score, higher is better
  const Json* doc = nullptr;  // catalog document; null when the item is not in the catalog
  float popularity = 0;       // training users of the item
};

// Returns at most k candidates, best first, with `score` set to the adjusted score:
//   score x product of matching boost multipliers, divided by max(1, popularity)^exponent
//   (for negative scores the factors apply inversely, so a bury always lowers an item);
// then greedy selection: with mmr_lambda < 1 each step takes the candidate maximizing
//   lambda * relevance - (1 - lambda) * max Jaccard(categories, picked item's categories)
// (relevance min-max normalized over the candidates); a candidate that would exceed
// category_cap items of a category or floor(provider_cap * k) (at least 1) items of one
// attributes.provider is skipped. The list is shorter than k when the caps leave too few.
std::vector<Candidate> Rerank(std::vector<Candidate> candidates, const ServingOptions& options,
                              size_t k);

}  // namespace tailor::recommenders
