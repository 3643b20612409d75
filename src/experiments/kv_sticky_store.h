// KvStickyStore: sticky assignments persisted in the exp_sticky keyspace, so a user keeps
// their variation across restarts and weight changes (sticky_store.h).
//
// Lookup reads the store (RocksDB's block cache keeps hot entries in memory); Record
// writes one key at once (not write-behind: an assignment forgotten by a crash could move
// a user). Write failures are logged and counted; the assignment itself already stands.
//
// Thread safety: safe for concurrent use (the KvStore is).
#pragma once

#include <atomic>

#include "experiments/sticky_store.h"
#include "storage/kv_store.h"

namespace tailor::experiments {

class KvStickyStore final : public StickyStore {
 public:
  // `store` must outlive this object.
  explicit KvStickyStore(storage::KvStore& store) : store_(store) {}
  std::optional<int> Lookup(const StickyKey& key) const override;
  void Record(const StickyKey& key, int variation) override;
  uint64_t write_errors() const { return write_errors_.load(std::memory_order_relaxed); }

 private:
  storage::KvStore& store_;
  std::atomic<uint64_t> write_errors_{0};
};

}  // namespace tailor::experiments
