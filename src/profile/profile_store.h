// ProfileStore: reads and caches profiles; writes go through a caller's WriteBatch so a
// profile change commits atomically with the events that caused it.
//
// Thread safety: safe for concurrent use. The cache is sharded; callers that
// read-modify-write one profile serialize on it themselves (the ingest pipeline's
// striped locks).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  // Stored event values as they are in the `events` keyspace (binary, or JSON in older
  // data directories): ingest::StoredEventJson gives their API form.
  std::vector<std::string> stored;
  std::optional<EventCursor> next;       // where the next page starts; nullopt at the end
};

class ProfileStore {
 public:
  // `store` must outlive this. `cache_entries` bounds the cache (softly: profiles whose
  // changes are not stored yet are never evicted; Flush makes them evictable).
  explicit ProfileStore(storage::KvStore& store, size_t cache_entries = 1 << 18);
  ~ProfileStore();

  // Returns the profile, nullopt if there is none, or an error. While a writer holds the
  // profile (Take), waits until it is put back, so a reader never sees an older version
  // than the last acknowledged write.
  Result<std::optional<Profile>> Load(const std::string& pid);

  // Like Load, but moves the profile out of the cache instead of copying it: the caller
  // owns it until it puts it back (Remember, RememberUnstored, Return) or Forgets it;
  // meanwhile readers wait. A flush in progress keeps writing its own copy: before
  // writing or erasing the profile itself, the caller calls WaitForFlush.
  // REQUIRES: the caller serializes writers of `pid` (the pipeline's stripe locks).
  Result<std::optional<Profile>> Take(const std::string& pid);

  // Adds the profile's stored form to `batch`.
  static void Stage(const Profile& p, storage::WriteBatch* batch);
  // Puts a profile back whose current state was just written (Stage): it is stored.
  void Remember(Profile p);
  // Puts a profile back whose change was not written: write-behind. `seq` is the journal
  // sequence number of the batch (ingest/profile_journal.h); the profile stays dirty —
  // never evicted — until Flush writes it.
  void RememberUnstored(Profile p, uint64_t seq);
  // Puts a taken profile back unchanged (keeps whether it was stored).
  void Return(Profile p);
  // Adds deletion of every key of `pid` (profile and events) to `batch`.
  static void StageErase(const std::string& pid, storage::WriteBatch* batch);
  // Drops `pid` from the cache. Returns true when it had changes not stored (the caller
  // must rebuild them: Pipeline::RecoverProfiles).
  bool Forget(const std::string& pid);
  // True when `pid`'s cache entry has changes the store lacks.
  bool Unstored(const std::string& pid);
  // The stored form of `pid`, bypassing the cache: for rebuilding a profile the caller
  // holds (Take) without letting readers at the older stored form.
  Result<std::optional<Profile>> LoadStored(const std::string& pid);

  // Writes every dirty profile (in key order, in WriteBatches of up to 512) and marks it
  // stored.
  // Returns how many were written.
  Result<size_t> Flush();
  // Returns once no flush is writing `pid`, so the caller's own write of it lands later.
  void WaitForFlush(const std::string& pid);
  // The lowest journal sequence number of a change not yet stored; UINT64_MAX if none.
  uint64_t UnstoredFloor();
  // How many cached profiles have changes not yet stored.
  size_t UnstoredCount();

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
  // An open-addressing table (core/string_table.h) of cache entries behind each shard's
  // mutex, keyed by pid and hashed once for the shard and the table.
  struct Shard;
  // The shard of `pid`, and the pid's hash for the shard's table (hashed once for both).
  Shard& ShardFor(std::string_view pid, size_t* hash);
  // Makes room for one more entry: drops a stored, idle entry if the shard is full.
  void EvictOne(Shard& shard);
  void Put(Profile p, int mode, uint64_t seq);

  storage::KvStore& store_;
  size_t per_shard_cap_;
  std::unique_ptr<Shard[]> shards_;
  std::function<void(const std::string&)> listener_;
};

}  // namespace tailor::profile
