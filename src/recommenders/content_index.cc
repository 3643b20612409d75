#include "recommenders/content_index.h"

#include <algorithm>
#include <cmath>

#include "recommenders/interactions.h"

namespace tailor::recommenders {

ContentIndex ContentIndex::Build(const ItemCatalog& catalog, double category_weight) {
  ContentIndex out;
  const auto& items = catalog.items();
  const size_t n = items.size();
  out.ids_.reserve(n);
  for (const CatalogItem& it : items) out.ids_.push_back(it.id);
  for (uint32_t i = 0; i < n; ++i) out.index_.emplace(out.ids_[i], i);
  // Term counts per item, document frequencies.
  std::unordered_map<std::string, uint32_t> term_index;
  std::vector<std::vector<std::pair<uint32_t, float>>> tf(n);
  std::vector<uint32_t> df;
  for (uint32_t i = 0; i < n; ++i) {
    std::unordered_map<uint32_t, float> counts;
    for (const std::string& t : ItemTerms(items[i])) {
      auto [it, added] = term_index.emplace(t, static_cast<uint32_t>(term_index.size()));
      if (added) df.push_back(0);
      const bool meta = t.starts_with("cat:") || t.starts_with("tag:");
      counts[it->second] += meta ? static_cast<float>(category_weight) : 1.0f;
    }
    for (const auto& [term, c] : counts) {
      ++df[term];
      tf[i].push_back({term, c});
    }
    std::sort(tf[i].begin(), tf[i].end());
  }
  // (1 + ln tf) * ln(1 + N / df): the +1 keeps a term shared by every item (a catalog of
  // one category) from weighing nothing.
  out.postings_.assign(df.size(), {});
  out.item_ptr_.assign(n + 1, 0);
  for (uint32_t i = 0; i < n; ++i) {
    double norm = 0;
    std::vector<Posting> w;
    for (const auto& [t, c] : tf[i]) {
      const double x = (1.0 + std::log(c)) * std::log(1.0 + static_cast<double>(n) / df[t]);
      w.push_back({t, static_cast<float>(x)});
      norm += x * x;
    }
    norm = std::sqrt(norm);
    for (Posting& p : w) {
      p.weight = norm > 0 ? static_cast<float>(p.weight / norm) : 0.0f;
      out.postings_[p.key].push_back({i, p.weight});
      out.item_terms_.push_back(p);
    }
    out.item_ptr_[i + 1] = out.item_terms_.size();
  }
  return out;
}

uint32_t ContentIndex::Find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? kNoIndex : it->second;
}

std::vector<ContentNeighbour> ContentIndex::Similar(
    std::span<const uint32_t> items, std::span<const float> weights, size_t k,
    const std::function<bool(uint32_t)>& allowed) const {
  std::unordered_map<uint32_t, float> profile;  // term -> weight
  for (size_t q = 0; q < items.size(); ++q) {
    const uint32_t j = items[q];
    if (j >= ids_.size()) continue;
    const float w = weights.empty() ? 1.0f : weights[q];
    for (uint64_t e = item_ptr_[j]; e < item_ptr_[j + 1]; ++e)
      profile[item_terms_[e].key] += w * item_terms_[e].weight;
  }
  double norm = 0;
  for (const auto& [t, w] : profile) norm += static_cast<double>(w) * w;
  if (norm <= 0) return {};
  const float inv = static_cast<float>(1.0 / std::sqrt(norm));
  std::unordered_map<uint32_t, float> scores;  // item -> cosine
  for (const auto& [t, w] : profile) {
    for (const Posting& p : postings_[t]) scores[p.key] += w * inv * p.weight;
  }
  for (uint32_t j : items) scores.erase(j);
  std::vector<ContentNeighbour> out;
  out.reserve(scores.size());
  for (const auto& [i, s] : scores) {
    if (s > 0 && (!allowed || allowed(i))) out.push_back({i, s});
  }
  auto better = [](const ContentNeighbour& a, const ContentNeighbour& b) {
    return a.score != b.score ? a.score > b.score : a.item < b.item;
  };
  if (out.size() > k) {
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end(), better);
    out.resize(k);
  } else {
    std::sort(out.begin(), out.end(), better);
  }
  return out;
}

size_t ContentIndex::MemoryBytes() const {
  size_t n = item_terms_.size() * sizeof(Posting) + item_ptr_.size() * 8 +
             index_.size() * (sizeof(std::string_view) + 16);
  for (const auto& id : ids_) n += id.capacity() + sizeof(std::string);
  for (const auto& p : postings_) n += p.size() * sizeof(Posting) + sizeof(p);
  return n;
}

}  // namespace tailor::recommenders
