#include "experiments/kv_sticky_store.h"

#include <charconv>

#include "core/log.h"
#include "experiments/exposure_codec.h"

namespace tailor::experiments {

std::optional<int> KvStickyStore::Lookup(const StickyKey& key) const {
  auto v = store_.Get(storage::Keyspace::kExpSticky,
                      ExpStickyKey(key.hash_attribute, key.hash_value, key.experiment_key, key.seed));
  if (!v.ok() || !v->has_value()) return std::nullopt;
  int variation = 0;
  const std::string& s = **v;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), variation);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return variation;
}

void KvStickyStore::Record(const StickyKey& key, int variation) {
  storage::WriteBatch batch;
  batch.Put(storage::Keyspace::kExpSticky,
            ExpStickyKey(key.hash_attribute, key.hash_value, key.experiment_key, key.seed),
            std::to_string(variation));
  Status s = store_.Write(batch);
  if (!s.ok()) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    LogWarn("sticky assignment not stored", {{"experiment", std::string(key.experiment_key)},
                                              {"error", s.ToString()}});
  }
}

}  // namespace tailor::experiments
