// MemoryStore: a KvStore in process memory, for tests and benchmarks that must not
// touch disk. Same semantics as RocksStore, including expiry by write time.
//
// Thread safety: safe for concurrent use (one shared mutex). Iterators work on a
// snapshot copy of the range taken when they are created.
#pragma once

#include <array>
#include <map>
#include <shared_mutex>

#include "core/clock.h"
#include "storage/kv_store.h"
#include "storage/store_options.h"

namespace tailor::storage {

class MemoryStore final : public KvStore {
 public:
  // `clock` must outlive the store.
  explicit MemoryStore(const Clock& clock, StoreOptions options = {});

  Result<std::optional<std::string>> Get(Keyspace ks, std::string_view key) override;
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) override;
  std::unique_ptr<Iterator> NewIterator(Keyspace ks, std::string_view lower,
                                        std::string_view upper) override;
  Status Checkpoint(const std::string& dir) override;
  Status Flush() override { return Status::OK(); }
  Status Persist(std::span<const Keyspace>, bool) override { return Status::OK(); }
  std::map<std::string, uint64_t> Stats() override;

  // Number of live (unexpired) keys in `ks`; for tests.
  size_t CountKeys(Keyspace ks);

 private:
  using Map = std::map<std::string, std::string, std::less<>>;
  const Clock& clock_;
  StoreOptions options_;
  std::shared_mutex mu_;
  std::array<Map, static_cast<size_t>(Keyspace::kCount)> maps_;  // GUARDED_BY(mu_)
};

}  // namespace tailor::storage
