#include "recommenders/serving/rerank.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "condition/json_document.h"

namespace tailor::recommenders {

namespace {

std::vector<std::string> Categories(const Json* doc) {
  std::vector<std::string> out;
  if (doc == nullptr) return out;
  auto it = doc->find("categories");
  if (it == doc->end() || !it->is_array()) return out;
  for (const auto& c : *it) {
    if (c.is_string()) out.push_back(c.get<std::string>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Provider(const Json* doc) {
  if (doc == nullptr) return {};
  auto a = doc->find("attributes");
  if (a == doc->end() || !a->is_object()) return {};
  auto p = a->find("provider");
  return p != a->end() && p->is_string() ? p->get<std::string>() : std::string();
}

double Jaccard(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return 0;
  size_t common = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j])
      ++common, ++i, ++j;
    else if (a[i] < b[j])
      ++i;
    else
      ++j;
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

float Adjust(const Candidate& c, const ServingOptions& o) {
  double factor = 1.0;
  if (c.doc != nullptr && !o.boosts.empty()) {
    condition::JsonDocument doc(*c.doc);
    for (const Boost& b : o.boosts) {
      if (b.when->Evaluate(doc)) factor *= b.multiplier;
    }
  }
  if (o.popularity_exponent > 0) {
    factor /= std::pow(std::max(1.0f, c.popularity), o.popularity_exponent);
  }
  if (factor <= 0) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(c.score >= 0 ? c.score * factor : c.score / factor);
}

}  // namespace

std::vector<Candidate> Rerank(std::vector<Candidate> cands, const ServingOptions& o, size_t k) {
  for (Candidate& c : cands) c.score = Adjust(c, o);
  std::stable_sort(cands.begin(), cands.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  const bool mmr = o.mmr_lambda < 1.0;
  const bool caps = o.category_cap > 0 || o.provider_cap < 1.0;
  if (!mmr && !caps) {
    if (cands.size() > k) cands.resize(k);
    return cands;
  }
  std::vector<std::vector<std::string>> cats(cands.size());
  std::vector<std::string> providers(cands.size());
  for (size_t i = 0; i < cands.size(); ++i) {
    cats[i] = Categories(cands[i].doc);
    providers[i] = Provider(cands[i].doc);
  }
  double lo = cands.empty() ? 0 : cands.back().score, hi = cands.empty() ? 0 : cands.front().score;
  auto relevance = [&](size_t i) {
    return hi > lo && std::isfinite(cands[i].score) ? (cands[i].score - lo) / (hi - lo) : 1.0;
  };
  const size_t provider_max =
      std::max<size_t>(1, static_cast<size_t>(std::floor(o.provider_cap * static_cast<double>(k))));
  std::map<std::string, int, std::less<>> per_category, per_provider;
  std::vector<bool> taken(cands.size(), false);
  std::vector<size_t> picked;
  while (picked.size() < k) {
    size_t best = cands.size();
    double best_value = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < cands.size(); ++i) {
      if (taken[i]) continue;
      if (o.category_cap > 0 &&
          std::any_of(cats[i].begin(), cats[i].end(),
                      [&](const std::string& c) { return per_category[c] >= o.category_cap; })) {
        continue;
      }
      if (o.provider_cap < 1.0 && !providers[i].empty() &&
          static_cast<size_t>(per_provider[providers[i]]) >= provider_max) {
        continue;
      }
      double value = relevance(i);
      if (mmr) {
        double sim = 0;
        for (size_t p : picked) sim = std::max(sim, Jaccard(cats[i], cats[p]));
        value = o.mmr_lambda * value - (1 - o.mmr_lambda) * sim;
      }
      if (value > best_value) best_value = value, best = i;
      if (!mmr) break;  // sorted by score: the first eligible candidate is the best
    }
    if (best == cands.size()) break;
    taken[best] = true;
    picked.push_back(best);
    for (const auto& c : cats[best]) ++per_category[c];
    if (!providers[best].empty()) ++per_provider[providers[best]];
  }
  std::vector<Candidate> out;
  out.reserve(picked.size());
  for (size_t i : picked) out.push_back(cands[i]);
  return out;
}

}  // namespace tailor::recommenders
