// ContentIndex: TF-IDF vectors of every catalog item (ItemTerms: title words, categories,
// tags; category and tag terms count `category_weight` times a title word), L2-normalized,
// in an inverted index. It gives content-based neighbours to items no model knows yet
// (added to the catalog after training, no interactions): the cold-start path of
// `/v1/items/{id}/similar` and of users whose history holds only such items.
//
// Same weighting as the `content` model's tfidf, but over the whole catalog rather than
// the training items, so it needs no training and no interactions.
//
// Thread safety: immutable after Build; const methods may be called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recommenders/item_catalog.h"

namespace tailor::recommenders {

struct ContentNeighbour {
  uint32_t item = 0;  // index into ContentIndex::id()
  float score = 0;    // cosine similarity in (0, 1]
};

class ContentIndex {
 public:
  ContentIndex() = default;
  // Move-only: the id index holds views into ids_.
  ContentIndex(ContentIndex&&) = default;
  ContentIndex& operator=(ContentIndex&&) = default;
  ContentIndex(const ContentIndex&) = delete;
  ContentIndex& operator=(const ContentIndex&) = delete;

  // Indexes every item of `catalog`. O(total terms) time and memory.
  static ContentIndex Build(const ItemCatalog& catalog, double category_weight = 2.0);

  // The item index of `id`, or kNoIndex when it is not in the catalog.
  uint32_t Find(std::string_view id) const;
  const std::string& id(uint32_t item) const { return ids_[item]; }
  size_t size() const { return ids_.size(); }

  // The at most k items most similar to the weighted sum of the vectors of `items`
  // (indexes from Find), best first (ties: lower index), leaving out `items` themselves,
  // items with no shared term, and items `allowed` rejects (when given). Weights
  // parallel to `items`; empty = 1 each.
  std::vector<ContentNeighbour> Similar(std::span<const uint32_t> items,
                                        std::span<const float> weights, size_t k,
                                        const std::function<bool(uint32_t)>& allowed) const;

  size_t MemoryBytes() const;

 private:
  struct Posting {
    uint32_t key;  // item (in postings_) or term (in item_terms_)
    float weight;
  };
  std::vector<std::string> ids_;
  std::unordered_map<std::string_view, uint32_t> index_;  // views into ids_
  std::vector<std::vector<Posting>> postings_;            // term -> (item, weight)
  std::vector<uint64_t> item_ptr_;                        // item -> range of item_terms_
  std::vector<Posting> item_terms_;                       // (term, weight)
};

}  // namespace tailor::recommenders
