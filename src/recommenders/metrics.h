// Offline ranking metrics. Definitions (k = list length, R = the user's relevant items =
// every held-out test item, hits = recommended items in R, rank r counted from 1):
//
//   precision@k  |hits in top k| / k                      (as recommenders' precision_at_k)
//   recall@k     |hits in top k| / |R|
//   ndcg@k       DCG / IDCG, DCG = sum over hits 1 / log2(r + 1), IDCG the same for
//                min(k, |R|) hits at ranks 1.. (binary relevance, as ndcg_at_k)
//   map@k        (1 / min(k, |R|)) * sum over hits at rank r of precision@r
//   mrr@k        1 / rank of the first hit, 0 without one
//   hit_rate@k   1 when any hit, else 0
// each averaged over users with at least one test item. Over all lists:
//   coverage        distinct recommended items / catalog items
//   novelty         mean over recommended items of -log2(p_i), p_i = training users of i /
//                   training users (at least 1 / users)
//   diversity       mean over lists of 1 - mean pairwise cosine of the list's items
//                   (cosine of their training user sets)
//   category_diversity  the same with the cosine of the items' category sets (only with
//                   an item catalog; items without categories count as unlike anything)
//   gini            Gini coefficient of recommendation counts over the catalog (0 = even,
//                   1 = all on one item)
//   avg_popularity  mean number of training users of recommended items
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tailor::recommenders {

struct UserRankMetrics {
  double precision = 0, recall = 0, ndcg = 0, ap = 0, rr = 0, hit = 0;
};

// REQUIRES: relevant is sorted and without duplicates, k >= 1. `recommended` may be
// shorter than k (missing slots count as misses); only its first k entries are read.
UserRankMetrics RankMetrics(std::span<const uint32_t> recommended,
                            std::span<const uint32_t> relevant, size_t k);

// Gini coefficient of non-negative values (0 for an empty or all-zero input).
double Gini(std::vector<double> values);

struct EvalMetrics {
  size_t k = 10;
  size_t users = 0;  // users evaluated
  double precision = 0, recall = 0, ndcg = 0, map = 0, mrr = 0, hit_rate = 0;
  double coverage = 0, novelty = 0, diversity = 0, gini = 0, avg_popularity = 0;
  bool has_category_diversity = false;  // a catalog was given
  double category_diversity = 0;

  // ("ndcg@10", value) ... in a fixed order, for tables and JSON (category_diversity
  // last, only when computed).
  std::vector<std::pair<std::string, double>> Named() const;
};

}  // namespace tailor::recommenders
