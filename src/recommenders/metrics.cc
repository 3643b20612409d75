#include "recommenders/metrics.h"

#include <algorithm>
#include <cmath>

namespace tailor::recommenders {

UserRankMetrics RankMetrics(std::span<const uint32_t> recommended,
                            std::span<const uint32_t> relevant, size_t k) {
  UserRankMetrics m;
  if (relevant.empty() || k == 0) return m;
  const size_t n = std::min(k, recommended.size());
  double dcg = 0, ap_sum = 0;
  size_t hits = 0;
  for (size_t r = 0; r < n; ++r) {
    if (!std::binary_search(relevant.begin(), relevant.end(), recommended[r])) continue;
    ++hits;
    dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
    ap_sum += static_cast<double>(hits) / static_cast<double>(r + 1);
    if (hits == 1) m.rr = 1.0 / static_cast<double>(r + 1);
  }
  double idcg = 0;
  const size_t ideal = std::min(k, relevant.size());
  for (size_t r = 0; r < ideal; ++r) idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
  m.precision = static_cast<double>(hits) / static_cast<double>(k);
  m.recall = static_cast<double>(hits) / static_cast<double>(relevant.size());
  m.ndcg = dcg / idcg;
  m.ap = ap_sum / static_cast<double>(ideal);
  m.hit = hits > 0 ? 1.0 : 0.0;
  return m;
}

double Gini(std::vector<double> values) {
  const size_t n = values.size();
  if (n == 0) return 0;
  std::sort(values.begin(), values.end());
  double total = 0, weighted = 0;
  for (size_t i = 0; i < n; ++i) {
    total += values[i];
    weighted += (2.0 * static_cast<double>(i + 1) - static_cast<double>(n) - 1.0) * values[i];
  }
  return total > 0 ? weighted / (static_cast<double>(n) * total) : 0.0;
}

std::vector<std::pair<std::string, double>> EvalMetrics::Named() const {
  const std::string at = "@" + std::to_string(k);
  std::vector<std::pair<std::string, double>> out = {{"ndcg" + at, ndcg},
                                                     {"precision" + at, precision},
                                                     {"recall" + at, recall},
                                                     {"map" + at, map},
                                                     {"mrr" + at, mrr},
                                                     {"hit_rate" + at, hit_rate},
                                                     {"coverage", coverage},
                                                     {"novelty", novelty},
                                                     {"diversity", diversity},
                                                     {"gini", gini},
                                                     {"avg_popularity", avg_popularity}};
  if (has_category_diversity) out.emplace_back("category_diversity", category_diversity);
  return out;
}

}  // namespace tailor::recommenders
