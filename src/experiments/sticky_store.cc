#include "experiments/sticky_store.h"

namespace tailor::experiments {

std::optional<int> InMemoryStickyStore::Lookup(const StickyKey& key) const {
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

void InMemoryStickyStore::Record(const StickyKey& key, int variation) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    it->second = variation;
    return;
  }
  map_.emplace(Owned{std::string(key.hash_attribute), std::string(key.hash_value),
                     std::string(key.experiment_key), std::string(key.seed)},
               variation);
}

}  // namespace tailor::experiments
