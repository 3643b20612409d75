// ProfileStore: reads and caches profiles; writes go through a caller's WriteBatch so a
// profile change commits atomically with the events that caused it.
//
// Thread safety: safe for concurrent use. The cache is sharded; callers that
// read-modify-write one profile serialize on it themselves (the ingest pipeline's
// striped locks).
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "core/status.h"
#include "profile/profile.h"
#include "storage/kv_store.h"

namespace tailor::profile {

// Position in a profile's event history: events strictly before (timestamp_ms,
// event_id) in time order. An empty event_id means "before timestamp_ms".
struct EventCursor {
  int64_t timestamp_ms = 0;
  std::string event_id;
};

// One page of a profile's event history, newest first.
struct EventPage {
  std::vector<std::string> events_json;  // stored event documents
  std::optional<EventCursor> next;       // where the next page starts; nullopt at the end
};

class ProfileStore {
 public:
  // `store` must outlive this. `cache_entries` bounds the cache.
  explicit ProfileStore(storage::KvStore& store, size_t cache_entries = 1 << 18)
      : store_(store), per_shard_cap_(std::max<size_t>(1, cache_entries / kShards)) {}

  // Returns the profile, nullopt if there is none, or an error.
  Result<std::optional<Profile>> Load(const std::string& pid);

  // Like Load, but moves the cached copy out of the cache instead of copying it (the
  // caller owns it until it calls Remember, or Forget on failure; meanwhile readers load
  // the last stored version). REQUIRES: the caller serializes writers of `pid`.
  Result<std::optional<Profile>> Take(const std::string& pid);

  // Adds the profile's stored form to `batch`. Call Remember() once it is written.
  static void Stage(const Profile& p, storage::WriteBatch* batch);
  void Remember(Profile p);
  // Adds deletion of every key of `pid` (profile and events) to `batch`.
  static void StageErase(const std::string& pid, storage::WriteBatch* batch);
  void Forget(const std::string& pid);

  // Calls `listener` with the pid after every Remember / Forget (a profile changed or
  // was erased), outside the cache's locks. Set once, before the store is shared.
  void SetChangeListener(std::function<void(const std::string& pid)> listener) {
    listener_ = std::move(listener);
  }

  // Up to `limit` events of `pid` before `before` (from the newest when nullopt),
  // newest first.
  Result<EventPage> Events(const std::string& pid, size_t limit,
                           const std::optional<EventCursor>& before);

  // Appends to `batch` moves of every event of `from` to `to` (same time and id).
  Status StageMoveEvents(const std::string& from, const std::string& to,
                         storage::WriteBatch* batch);

 private:
  static constexpr size_t kShards = 32;
  struct Shard {
    Mutex mu;
    std::unordered_map<std::string, Profile> map GUARDED_BY(mu);
  };
  Shard& ShardFor(const std::string& pid);

  storage::KvStore& store_;
  size_t per_shard_cap_;
  std::array<Shard, kShards> shards_;
  std::function<void(const std::string&)> listener_;
};

}  // namespace tailor::profile
