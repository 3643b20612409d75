#include "identity/identity_index.h"

#include "core/string_table.h"
#include "storage/key_codec.h"

namespace tailor::identity {

struct IdentityIndex::Shard {
  Mutex mu;
  StringMap<std::string> map GUARDED_BY(mu);
  // Identities the store did not have when last read. Kept apart from `map` so they
  // never push a known identity out (which would bump the generation).
  StringSet absent GUARDED_BY(mu);
};

IdentityIndex::IdentityIndex(storage::KvStore& store, size_t cache_entries, bool cache_absent)
    : store_(store),
      per_shard_cap_(std::max<size_t>(1, cache_entries / kShards)),
      absent_cap_(cache_absent ? std::max<size_t>(1, cache_entries / 8 / kShards) : 0),
      shards_(new Shard[kShards]) {}

IdentityIndex::~IdentityIndex() = default;

IdentityIndex::Shard& IdentityIndex::ShardFor(size_t hash) {
  return shards_[ShardOf(hash, kShards)];
}

Result<std::optional<std::string>> IdentityIndex::Lookup(IdKind kind,
                                                         std::string_view external_id) {
  std::string key = storage::IdentityKey(static_cast<char>(kind), external_id);
  const size_t hash = StringHash{}(key);  // once, for the shard and its tables
  Shard& shard = ShardFor(hash);
  {
    MutexLock lock(shard.mu);
    auto it = shard.map.find(key, hash);
    if (it != shard.map.end()) return std::optional<std::string>(it->second);
    if (shard.absent.count(key, hash) != 0) return std::optional<std::string>();
  }
  TAILOR_ASSIGN_OR_RETURN(auto pid, store_.Get(storage::Keyspace::kIdentities, key));
  MutexLock lock(shard.mu);
  // A Remember() that ran since the read above is newer than what was read: answer with
  // it, not the read. (Returning the read would hand out a mapping the cache already
  // knows is stale, without a generation change to tell callers: a batch resolving an id
  // while an identify merged it away would then use the merged-away profile.)
  if (auto it = shard.map.find(key, hash); it != shard.map.end()) {
    return std::optional<std::string>(it->second);
  }
  if (pid) {
    if (shard.map.size() >= per_shard_cap_) {
      shard.map.erase(shard.map.begin());
      evicted_.store(true, std::memory_order_relaxed);
    }
    shard.map.emplace(key, *pid);
    shard.absent.erase(key);
  } else if (absent_cap_ > 0) {
    if (shard.absent.size() >= absent_cap_) shard.absent.clear();  // bounded; refilled on demand
    shard.absent.insert(std::move(key));
  }
  return pid;
}

void IdentityIndex::Stage(IdKind kind, std::string_view external_id, std::string_view pid,
                          storage::WriteBatch* batch) {
  batch->Put(storage::Keyspace::kIdentities,
             storage::IdentityKey(static_cast<char>(kind), external_id), pid);
}

void IdentityIndex::Remember(IdKind kind, std::string_view external_id, std::string_view pid) {
  std::string key = storage::IdentityKey(static_cast<char>(kind), external_id);
  const size_t hash = StringHash{}(key);
  Shard& shard = ShardFor(hash);
  MutexLock lock(shard.mu);
  shard.absent.erase(key, hash);  // a new identity: not a moved one
  auto it = shard.map.find(key, hash);
  if (it != shard.map.end()) {
    if (it->second == pid) return;
    it.value() = std::string(pid);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    return;
  }
  // Absent: a new identity, unless it may have been evicted with another pid.
  if (evicted_.load(std::memory_order_relaxed)) generation_.fetch_add(1, std::memory_order_acq_rel);
  if (shard.map.size() >= per_shard_cap_) {
    shard.map.erase(shard.map.begin());
    evicted_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  shard.map.emplace(std::move(key), std::string(pid));
}

void IdentityIndex::Forget(IdKind kind, std::string_view external_id) {
  std::string key = storage::IdentityKey(static_cast<char>(kind), external_id);
  const size_t hash = StringHash{}(key);
  Shard& shard = ShardFor(hash);
  MutexLock lock(shard.mu);
  shard.map.erase(key, hash);
  shard.absent.erase(key, hash);
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace tailor::identity
