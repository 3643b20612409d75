// IdentityIndex: resolves external identities (user_id, anonymous_id) to profile ids.
// Each identity maps to exactly one pid ("u:<user_id>" / "a:<anonymous_id>" in the
// identities keyspace). The full identity graph (device ids, hashed emails,
// probabilistic links, unmerge) is a later issue; merges are already recorded on the
// surviving profile (Profile::merged_from) so they can be undone.
//
// Thread safety: safe for concurrent use. Callers that must read-then-link atomically
// (the ingest pipeline) serialize per identity with their own locks.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "core/mutex.h"
#include "core/status.h"
#include "storage/kv_store.h"

namespace tailor::identity {

enum class IdKind : char { kUser = 'u', kAnonymous = 'a' };

class IdentityIndex {
 public:
  // `store` must outlive the index. `cache_entries` bounds the in-memory cache.
  explicit IdentityIndex(storage::KvStore& store, size_t cache_entries = 1 << 20,
                         bool cache_absent = true);
  ~IdentityIndex();

  // Returns the pid of the identity, nullopt if unknown, or an I/O error.
  //
  // Unknown identities are remembered too (a bounded set per shard), so an id that is
  // looked up again and again without ever being linked (the anonymous id that web SDKs
  // send beside the user id, a first-time visitor asking for decisions) costs a hash
  // lookup instead of a store read. This is exact as long as every identity written to
  // the store goes through Remember() (after the write) or Forget() (after a failed
  // one), which is how this process writes them; a backend shared by several processes
  // must construct the index with `cache_absent = false`.
  Result<std::optional<std::string>> Lookup(IdKind kind, std::string_view external_id);

  // Adds "identity -> pid" to `batch`; call Remember() after the batch is written.
  static void Stage(IdKind kind, std::string_view external_id, std::string_view pid,
                    storage::WriteBatch* batch);
  void Remember(IdKind kind, std::string_view external_id, std::string_view pid);

  // Drops cached entries (after a failed write, the store is the truth).
  void Forget(IdKind kind, std::string_view external_id);

  // Changes whenever an identity may have moved to another pid (a Remember that
  // changes a known mapping, or one whose old mapping may have been evicted, and every
  // Forget); adding a new identity leaves it unchanged. Callers caching what an
  // identity resolved to keep it only while the generation is the one they read
  // before resolving.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  static constexpr size_t kShards = 32;
  // Open-addressing tables (core/string_table.h) behind the mutex of each shard.
  struct Shard;
  Shard& ShardFor(size_t hash);  // hash: StringHash of the identity key

  storage::KvStore& store_;
  size_t per_shard_cap_;
  size_t absent_cap_;  // per shard; 0 = unknown identities are not remembered
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> evicted_{false};  // some mapping left the cache for lack of room
};

}  // namespace tailor::identity
